// Issue 12, "works the first time": what a new user hits on a fresh account,
// run the way the user does (the real mxc binary, a fresh empty home, no
// terminal). Registered as root and as the unprivileged test user.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "support.hpp"

using mxc::test::read_file;
using mxc::test::RunResult;
using mxc::test::RunSpec;
using mxc::test::TempDir;
namespace fs = std::filesystem;

namespace {

RunResult mxc_in(const std::string& cwd, const std::string& home, const std::vector<std::string>& args) {
    RunSpec spec;
    spec.argv = {MXC_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = cwd;
    spec.env = std::map<std::string, std::string>{{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", home}};
    return mxc::test::run(spec);
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777U;
}

}  // namespace

// Item 3: npm's cache dir on a fresh account.
TEST_CASE("coding-agent on a fresh home: a missing write-rule directory is created, 0700, and writable") {
    TempDir home;
    TempDir ws;
    REQUIRE_FALSE(fs::exists(home.path() + "/.npm"));
    auto r = mxc_in(
        ws.path(), home.path(),
        {"exec", "-p", "coding-agent", "-w", ws.path(), "--", "sh", "-c", "mkdir -p ~/.npm/x && echo ok"});
    CHECK(r.status == 0);
    CHECK(r.out == "ok\n");
    CHECK(fs::is_directory(home.path() + "/.npm/x"));  // the write landed on the host
    CHECK(mode_of(home.path() + "/.npm") == 0700);
    CHECK(mode_of(home.path() + "/go") == 0700);  // ~/go/pkg/mod: parents too, private
    CHECK(fs::is_directory(home.path() + "/go/pkg/mod"));
}

TEST_CASE("coding-agent on a fresh home: npm finds its cache directory (skipped without npm)") {
    if (!fs::exists("/usr/bin/npm")) return;
    TempDir home;
    TempDir ws;
    auto r = mxc_in(ws.path(), home.path(),
                    {"exec", "-p", "coding-agent", "-w", ws.path(), "--", "npm", "cache", "verify"});
    CHECK(r.status == 0);
    CHECK(r.out.find("Content verified") != std::string::npos);
    CHECK(fs::is_directory(home.path() + "/.npm/_cacache"));  // on the host: the cache persists
}

TEST_CASE("--dry-run and explain show the creation but create nothing") {
    TempDir home;
    TempDir ws;
    auto dry = mxc_in(ws.path(), home.path(),
                      {"exec", "-p", "coding-agent", "-w", ws.path(), "--dry-run", "--", "true"});
    CHECK(dry.status == 0);
    CHECK(dry.out.find("note: filesystem.write " + home.path() + "/.npm (") != std::string::npos);
    CHECK(dry.out.find("): created at launch if missing (mode 0700)") != std::string::npos);
    auto explain = mxc_in(ws.path(), home.path(), {"explain", "-p", "coding-agent", "-w", ws.path()});
    CHECK(explain.status == 0);
    CHECK(explain.out.find("created at launch if missing") != std::string::npos);
    CHECK_FALSE(fs::exists(home.path() + "/.npm"));
    CHECK_FALSE(fs::exists(home.path() + "/.cache"));
}

TEST_CASE("a symlink planted on the way is refused: nothing is created through it") {
    TempDir home;
    TempDir ws;
    TempDir elsewhere;  // where a planted ~/go link points
    fs::create_symlink(elsewhere.path(), home.path() + "/go");
    fs::create_symlink(elsewhere.path() + "/npm-cache", home.path() + "/.npm");  // dangling
    auto r = mxc_in(ws.path(), home.path(),
                    {"exec", "-p", "coding-agent", "-w", ws.path(), "--", "sh", "-c", "echo ran"});
    CHECK(r.status == 0);  // the run still starts, without those two rules
    CHECK(r.out == "ran\n");
    CHECK(r.err.find(home.path() + "/go is a symlink: not followed") != std::string::npos);
    CHECK(r.err.find(home.path() + "/.npm is a symlink: not followed") != std::string::npos);
    CHECK_FALSE(fs::exists(elsewhere.path() + "/pkg"));
    CHECK_FALSE(fs::exists(elsewhere.path() + "/npm-cache"));
    CHECK(fs::is_symlink(home.path() + "/go"));
    // Control: the same creation without the no-follow walk lands in `elsewhere`.
    fs::create_directories(home.path() + "/go/pkg/mod");
    CHECK(fs::exists(elsewhere.path() + "/pkg/mod"));
}

// Item 5: -w from another directory.
TEST_CASE("-w from a directory the sandbox cannot see starts in the workspace, and says so at -v") {
    TempDir home;
    TempDir ws;
    TempDir elsewhere;
    auto r =
        mxc_in(elsewhere.path(), home.path(), {"exec", "-p", "default", "-w", ws.path(), "-v", "--", "pwd"});
    CHECK(r.status == 0);
    CHECK(r.out == ws.path() + "\n");
    CHECK(r.err.find("is not visible in the sandbox: starting in the workspace " + ws.path()) !=
          std::string::npos);
    const std::string audit = elsewhere.path() + "/audit.jsonl";  // outside the workspace, as advised
    auto a = mxc_in(elsewhere.path(), home.path(),
                    {"exec", "-p", "default", "-w", ws.path(), "--audit", audit, "--", "true"});
    CHECK(a.status == 0);
    CHECK(read_file(audit).find("\"cwd\":\"" + ws.path() + "\"") != std::string::npos);
}

TEST_CASE("-C DIR chooses the start directory, one the sandbox cannot see is refused") {
    TempDir home;
    TempDir ws;
    TempDir elsewhere;
    fs::create_directory(ws.path() + "/sub");
    auto r = mxc_in(elsewhere.path(), home.path(),
                    {"exec", "-p", "default", "-w", ws.path(), "-C", ws.path() + "/sub", "--", "pwd"});
    CHECK(r.status == 0);
    CHECK(r.out == ws.path() + "/sub\n");
    auto rel = mxc_in(ws.path(), home.path(), {"exec", "-p", "default", "--cwd", "sub", "--", "pwd"});
    CHECK(rel.out == ws.path() + "/sub\n");
    auto hidden =
        mxc_in(ws.path(), home.path(), {"exec", "-p", "default", "-C", elsewhere.path(), "--", "pwd"});
    CHECK(hidden.status == 125);
    CHECK(hidden.err.find("is not visible in the sandbox") != std::string::npos);
}

// Item 8: missing = "error" in a child of default.
TEST_CASE("missing = \"error\" extending default: exec runs, check reports only what exec would refuse") {
    TempDir home;
    TempDir ws;
    const std::string ok = ws.write("strict.toml",
                                    "schema = 1\nextends = [\"default\"]\n[filesystem]\nmissing = \"error\"\n"
                                    "read = [\"/usr/share\"]\n");
    auto run = mxc_in(ws.path(), home.path(), {"exec", "-p", ok, "--", "true"});
    CHECK(run.status == 0);  // default's /libx32 (absent on most hosts) is default's, which ignores it
    auto check_ok = mxc_in(ws.path(), home.path(), {"check", ok});
    CHECK(check_ok.status == 0);

    const std::string bad =
        ws.write("bad.toml",
                 "schema = 1\nextends = [\"default\"]\n[filesystem]\nmissing = \"error\"\n"
                 "read = [\"/nonexistent-mxc-issue12\"]\n");
    auto refused = mxc_in(ws.path(), home.path(), {"exec", "-p", bad, "--", "true"});
    CHECK(refused.status == 125);
    auto check_bad = mxc_in(ws.path(), home.path(), {"check", bad});
    CHECK(check_bad.status == 1);
    CHECK(check_bad.err.find(bad + ":5:") != std::string::npos);
    CHECK(check_bad.err.find("filesystem.read /nonexistent-mxc-issue12 does not exist on this host") !=
          std::string::npos);
}
