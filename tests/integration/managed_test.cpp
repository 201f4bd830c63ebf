// The managed policy end to end (issue 15, docs/managed.md): root places the
// file, the run (as the caller and as the unprivileged mxc-test user) obeys
// it. The build-tree mxc reads $MXC_MANAGED_POLICY instead of
// /etc/mxc/managed.toml; the file must still pass the trust check.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support.hpp"
#include "support/state_dir.hpp"

using mxc::itest::contains;
using mxc::test::TempDir;

namespace {

namespace fs = std::filesystem;

// A root-owned 0755 directory holding managed.toml (0644), as an
// administrator would lay out /etc/mxc.
class ManagedDir {
public:
    ManagedDir() {
        std::string tmpl = (fs::temp_directory_path() / "mxc-managed-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        ::chmod(dir_.c_str(), 0755);
    }
    ~ManagedDir() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    ManagedDir(const ManagedDir&) = delete;
    ManagedDir& operator=(const ManagedDir&) = delete;

    std::string write(const std::string& text, mode_t mode = 0644) const {
        const std::string path = file();
        std::ofstream(path, std::ios::trunc) << text;
        ::chmod(path.c_str(), mode);
        return path;
    }
    [[nodiscard]] std::string file() const { return dir_ + "/managed.toml"; }
    [[nodiscard]] const std::string& dir() const { return dir_; }

private:
    std::string dir_;
};

mxc::test::RunResult run_mxc(const TempDir& ws, const std::string& managed,
                             const std::vector<std::string>& args) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = ws.path();
    auto env = mxc::itest::plain_env();
    if (!managed.empty()) env["MXC_MANAGED_POLICY"] = managed;
    spec.env = env;
    return mxc::test::run(spec);
}

bool root() {
    if (geteuid() == 0) return true;
    MESSAGE("skipped: placing a trusted managed file needs root");
    return false;
}

// The ceiling used by most tests: GitHub hosts only, no best effort.
std::string ceiling(const std::string& extra = {}) {
    return "schema = 1\n"
           "[policy]\n"
           "best_effort = \"forbidden\"\n"
           "[network]\n"
           "allow = [\"*.github.com\", \"github.com\"]\n" +
           extra;
}

}  // namespace

TEST_CASE("managed: a profile allow rule outside the ceiling is refused, naming both origins") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write(ceiling());
    TempDir ws;
    ws.write("p.toml",
             "schema = 1\nextends = \"default\"\n[network]\nmode = \"allowlist\"\n"
             "allow = [\"api.github.com\", \"example.com\"]\n");
    auto r = run_mxc(ws, file, {"exec", "-p", "./p.toml", "-w", ws.path(), "--", "true"});
    CHECK(r.status == 125);
    CHECK(contains(
        r.err,
        "./p.toml:5:28: error: [network].allow \"example.com\" is outside the managed ceiling (managed:" +
            file + ":5:1)"));
    // Without the managed file the same profile runs.
    CHECK(run_mxc(ws, "", {"exec", "-p", "./p.toml", "-w", ws.path(), "--", "true"}).status == 0);
}

TEST_CASE("managed: --allow-net cannot widen past the ceiling and --best-effort is refused") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write(ceiling());
    TempDir ws;
    auto net = run_mxc(ws, file, {"exec", "-p", "default", "--allow-net", "example.com", "--", "true"});
    CHECK(net.status == 125);
    CHECK(contains(net.err,
                   "flag --allow-net: error: [network].allow \"example.com\" is outside the managed ceiling "
                   "(managed:" +
                       file + ":5:1)"));
    auto inside = run_mxc(ws, file, {"exec", "-p", "default", "--allow-net", "api.github.com", "--", "true"});
    CHECK(inside.status == 0);
    auto be = run_mxc(ws, file, {"exec", "-p", "default", "--best-effort", "--", "true"});
    CHECK(be.status == 125);
    CHECK(contains(
        be.err, "flag --best-effort: error: best effort is forbidden by the managed policy (managed:" + file +
                    ":3:15)"));
}

TEST_CASE("managed: a deny wins over a profile write on the same path and over --allow-write below it") {
    if (!root()) return;
    TempDir ws;
    ws.write("data/secret.txt", "top secret\n");
    ManagedDir m;
    const std::string file = m.write("schema = 1\n[filesystem]\ndeny = [\"" + ws.path() + "/data\"]\n");
    ws.write("p.toml", "schema = 1\nextends = [\"default\"]\n[filesystem]\nwrite = [\"{workspace}/data\"]\n");
    const std::string secret = ws.path() + "/data/secret.txt";
    const std::vector<std::string> attack = {"sh", "-c", "cat " + secret + "; echo planted > " + secret};

    // Control: without the managed file the profile reads and writes it.
    std::vector<std::string> args = {"exec", "-p", "./p.toml", "-w", ws.path(), "--"};
    args.insert(args.end(), attack.begin(), attack.end());
    auto control = run_mxc(ws, "", args);
    CHECK(control.status == 0);
    CHECK(contains(control.out, "top secret"));
    ws.write("data/secret.txt", "top secret\n");

    auto r = run_mxc(ws, file, args);
    CHECK_FALSE(contains(r.out, "top secret"));
    CHECK(mxc::test::read_file(secret) == "top secret\n");

    // A flag naming the file itself, more specific than the deny, stays denied too.
    std::vector<std::string> flag = {"exec", "-p", "default", "-w", ws.path(), "--allow-write", secret, "--"};
    flag.insert(flag.end(), attack.begin(), attack.end());
    auto f = run_mxc(ws, file, flag);
    CHECK_FALSE(contains(f.out, "top secret"));
    CHECK(mxc::test::read_file(secret) == "top secret\n");

    // explain names the managed deny and what it removed.
    auto ex = run_mxc(ws, file, {"explain", "-p", "./p.toml", "-w", ws.path()});
    CHECK(ex.status == 0);
    CHECK(contains(ex.out, "[managed] " + file));
    CHECK(contains(ex.out, "filesystem.write " + ws.path() +
                               "/data (./p.toml:4:10) removed (managed:" + file + ":3:9)"));
}

TEST_CASE("managed: limits are capped and shown as capped") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write("schema = 1\n[limits]\nmemory = \"2GiB\"\n");
    TempDir ws;
    auto ex = run_mxc(ws, file, {"explain", "-p", "default"});
    CHECK(ex.status == 0);
    CHECK(contains(ex.out,
                   "limits.memory 8GiB (builtin:default:156:10) capped to 2GiB (managed:" + file + ":3:10)"));
    auto dry = run_mxc(ws, file, {"exec", "--dry-run", "-p", "default", "--", "true"});
    CHECK(dry.status == 0);
    CHECK(contains(dry.out, "capped to 2GiB"));
    auto json = run_mxc(ws, file, {"explain", "--json", "-p", "default"});
    CHECK(contains(json.out, "\"action\":\"capped to 2GiB\""));
}

TEST_CASE("managed: a profile not in the allowed list is refused") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write("schema = 1\n[policy]\nprofiles = [\"default\"]\n");
    TempDir ws;
    CHECK(run_mxc(ws, file, {"exec", "-p", "default", "--", "true"}).status == 0);
    auto r = run_mxc(ws, file, {"exec", "-p", "coding-agent", "--", "true"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "is not in the managed policy's profiles (managed:" + file + ":3:13)"));
}

TEST_CASE("managed: a file the user could change is refused with 125, naming it") {
    if (!root()) return;
    TempDir ws;
    {
        ManagedDir m;
        const std::string file = m.write(ceiling(), 0666);
        auto r = run_mxc(ws, file, {"exec", "-p", "default", "--", "true"});
        CHECK(r.status == 125);
        CHECK(contains(r.err, "managed policy " + file + " is not trusted: " + file +
                                  " is writable by group or others (mode 0666)"));
    }
    {
        ManagedDir m;
        const std::string file = m.write(ceiling());
        ::chmod(m.dir().c_str(), 0777);  // a user could replace the file
        auto r = run_mxc(ws, file, {"exec", "-p", "default", "--", "true"});
        CHECK(r.status == 125);
        CHECK(contains(r.err, m.dir() + " is writable by group or others (mode 0777)"));
    }
    {
        ManagedDir m;
        const std::string file = m.write(ceiling());
        ::chown(file.c_str(), mxc::test::test_uid() == 0 ? 65534 : mxc::test::test_uid(), 0);
        auto r = run_mxc(ws, file, {"exec", "-p", "default", "--", "true"});
        CHECK(r.status == 125);
        CHECK(contains(r.err, file + " is owned by uid"));
    }
    {
        // A symlink, even one to a trusted file.
        ManagedDir m;
        const std::string file = m.write(ceiling());
        const std::string link = m.dir() + "/link.toml";
        REQUIRE(::symlink(file.c_str(), link.c_str()) == 0);
        auto r = run_mxc(ws, link, {"exec", "-p", "default", "--", "true"});
        CHECK(r.status == 125);
        CHECK(contains(r.err, link + " is a symbolic link"));
    }
    if (mxc::test::unprivileged()) {
        // A file in a directory the test user owns (its workspace).
        const std::string file = ws.write("managed.toml", ceiling());
        auto r = run_mxc(ws, file, {"exec", "-p", "default", "--", "true"});
        CHECK(r.status == 125);
        CHECK(contains(r.err, "managed policy " + file + " is not trusted"));
    }
}

TEST_CASE("managed: a broken file refuses every run with file:line:col, an absent one is no layer") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write("schema = 1\n[network]\nalow = [\"github.com\"]\n");
    TempDir ws;
    const std::string where = "managed:" + file + ":3:1: error: unknown key \"alow\"";
    auto exec = run_mxc(ws, file, {"exec", "-p", "default", "--", "true"});
    CHECK(exec.status == 125);
    CHECK(contains(exec.err, where));
    auto explain = run_mxc(ws, file, {"explain", "-p", "default"});
    CHECK(explain.status != 0);
    CHECK(contains(explain.err, where));
    auto check = run_mxc(ws, file, {"check", "default"});
    CHECK(check.status != 0);
    CHECK(contains(check.err, where));
    auto doctor = run_mxc(ws, file, {"doctor"});
    CHECK(contains(doctor.out, "managed policy " + file + ": error"));

    CHECK(run_mxc(ws, m.dir() + "/absent.toml", {"exec", "-p", "default", "--", "true"}).status == 0);
    auto none = run_mxc(ws, m.dir() + "/absent.toml", {"doctor"});
    CHECK(contains(none.out, "managed policy " + m.dir() + "/absent.toml: none"));
}

TEST_CASE("managed: the [audit] sink receives every run's events, whatever the caller passes") {
    if (!root()) return;
    TempDir ws;
    // Outside anything a sandboxed run may write (the sink refuses those),
    // owned by the test identity that appends to it.
    mxc::test::StateDir state;
    const std::string log = state.path() + "/audit.jsonl";
    ManagedDir m;
    const std::string file = m.write("schema = 1\n[audit]\nsink = \"file\"\npath = \"" + log + "\"\n");
    auto r = run_mxc(ws, file, {"exec", "-p", "default", "-w", ws.path(), "--", "true"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    const std::string events = mxc::test::read_file(log);
    CHECK(contains(events, "\"session\""));
    auto ex = run_mxc(ws, file, {"explain", "-p", "default", "-w", ws.path()});
    CHECK(contains(ex.out, "audit.sink file " + log));
}

TEST_CASE("managed: mxc learn obeys it, and --allow-net-learning cannot pass a managed [network] rule") {
    if (!root()) return;
    ManagedDir m;
    const std::string file = m.write(ceiling());
    TempDir ws;
    // Control: without the managed file, learning with the network open runs.
    CHECK(run_mxc(ws, "", {"learn", "-p", "default", "--allow-net-learning", "--", "true"}).status == 0);
    auto r = run_mxc(ws, file, {"learn", "-p", "default", "--allow-net-learning", "--", "true"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "--allow-net-learning is refused: the managed policy's network.allow (ceiling)"));
    CHECK(contains(r.err, "(managed:" + file + ":5:"));
    // Learning itself is a run like any other: the ceiling's refusals stand.
    CHECK(run_mxc(ws, file, {"learn", "-p", "default", "--", "true"}).status == 0);
}
