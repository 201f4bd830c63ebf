// The real front end: `mxc exec -p default` end to end (loader + CLI + Linux backend).
#include <doctest/doctest.h>

#include <unistd.h>

#include "support.hpp"

using mxc::test::TempDir;

namespace {
mxc::test::RunResult mxc_exec(const TempDir& ws, const std::vector<std::string>& command,
                              std::optional<std::map<std::string, std::string>> env = std::nullopt) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "exec", "-p", "default", "-w", ws.path(), "--"};
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.cwd = ws.path();
    spec.env = std::move(env);
    return mxc::test::run(spec);
}
}  // namespace

TEST_CASE("mxc exec -p default: exit status, workspace write, quiet") {
    TempDir ws;
    auto r = mxc_exec(ws, {"sh", "-c", "echo built > out.txt; exit 9"});
    CHECK(r.status == 9);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
    CHECK(mxc::test::read_file(ws.path() + "/out.txt") == "built\n");
}

TEST_CASE("mxc exec -p default: tokens are not in the environment, MXC_SESSION_ID is") {
    TempDir ws;
    auto r = mxc_exec(ws, {"env"},
                      std::map<std::string, std::string>{
                          {"PATH", "/usr/bin:/bin"}, {"GITHUB_TOKEN", "ghp_x"}, {"LANG", "C"}});
    CHECK(r.status == 0);
    CHECK(r.out.find("GITHUB_TOKEN") == std::string::npos);
    CHECK(r.out.find("LANG=C\n") != std::string::npos);
    CHECK(r.out.find("MXC_SESSION_ID=") != std::string::npos);
}

TEST_CASE("mxc exec -p default: {workspace}/.env is hidden and there is no network") {
    TempDir ws;
    ws.write(".env", "SECRET=1");
    auto r = mxc_exec(ws, {"bash", "-c", "cat .env; cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '"});
    CHECK(r.out == "lo\n");
}

TEST_CASE("mxc exec --dry-run prints the plan and runs nothing") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY,  "exec", "-p", "default", "-w",       ws.path(),
                 "--dry-run", "--",   "sh", "-c",      "touch ran"};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    CHECK(r.status == 0);
    CHECK(r.out.find("bind-rw " + ws.path()) != std::string::npos);
    CHECK(mxc::test::read_file(ws.path() + "/ran").empty());
}

TEST_CASE("mxc explain lists the seccomp filter, and [seccomp].allow removes a group from it") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "explain", "-p", "default", "-w", ws.path()};
    auto r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("seccomp deny ptrace -> EPERM (group ptrace)") != std::string::npos);
    CHECK(r.out.find("seccomp deny ioctl [request == TIOCSTI] -> EPERM (always)") != std::string::npos);

    const std::string profile =
        ws.write("debug.toml", "schema = 1\nextends = [\"default\"]\n[seccomp]\nallow = [\"ptrace\"]\n");
    spec.argv = {MXC_BINARY, "explain", "-p", profile, "-w", ws.path()};
    r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("seccomp deny ptrace ") == std::string::npos);
    CHECK(r.out.find("seccomp allow group ptrace") != std::string::npos);
}

TEST_CASE("mxc exec -p default: a TLS trust file named by SSL_CERT_FILE is passed and readable") {
    TempDir ws;
    TempDir certs;  // outside every rule of default: hidden unless the variable opens it
    const std::string ca = certs.write("corp-ca.pem", "-----BEGIN CERTIFICATE-----\n");
    const std::map<std::string, std::string> env{{"PATH", "/usr/bin:/bin"}, {"SSL_CERT_FILE", ca}};

    auto r = mxc_exec(ws, {"sh", "-c", "cat \"$SSL_CERT_FILE\""}, env);
    CHECK(r.status == 0);
    CHECK(r.out == "-----BEGIN CERTIFICATE-----\n");

    // The control: without the variable the same file stays hidden.
    auto hidden = mxc_exec(ws, {"cat", ca}, std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}});
    CHECK(hidden.status != 0);

    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "explain", "-p", "default", "-w", ws.path()};
    spec.cwd = ws.path();
    spec.env = env;
    auto explain = mxc::test::run(spec);
    CHECK(explain.status == 0);
    CHECK(explain.out.find(ca) != std::string::npos);
    CHECK(explain.out.find("[env] SSL_CERT_FILE (TLS trust)") != std::string::npos);
}

TEST_CASE("mxc exec -p default: a TLS trust variable never opens a denied file (deny wins)") {
    TempDir ws;
    const std::string secret = ws.write(".env", "SECRET=1");
    auto r = mxc_exec(
        ws, {"sh", "-c", "cat \"$REQUESTS_CA_BUNDLE\""},
        std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"REQUESTS_CA_BUNDLE", secret}});
    // A denied file reads as empty (an empty file is mounted over it).
    CHECK(r.out.find("SECRET") == std::string::npos);
    // The control: the same command unsandboxed reads the secret.
    mxc::test::RunSpec spec;
    spec.argv = {"cat", secret};
    CHECK(mxc::test::run(spec).out == "SECRET=1");
}

TEST_CASE("mxc exec -p default: a TLS trust variable naming a link planted in /tmp opens nothing") {
    TempDir ws;
    TempDir secret_dir;  // outside every rule
    const std::string secret = secret_dir.write("secret.txt", "TOPSECRET");
    TempDir plant;  // under /tmp: any earlier run could have made this link
    const std::string link = plant.path() + "/ca.pem";
    REQUIRE(symlink(secret.c_str(), link.c_str()) == 0);
    auto r = mxc_exec(ws, {"sh", "-c", "cat \"$SSL_CERT_FILE\"; cat " + secret},
                      std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"SSL_CERT_FILE", link}});
    CHECK(r.out.find("TOPSECRET") == std::string::npos);
    CHECK(r.err.find("passes through the symlink") != std::string::npos);
    // The control: unsandboxed, the link leads to the secret.
    mxc::test::RunSpec spec;
    spec.argv = {"cat", link};
    CHECK(mxc::test::run(spec).out == "TOPSECRET");
}

TEST_CASE("mxc exec -p /dev/stdin: a profile from a pipe is read once and applied") {
    TempDir ws;
    mxc::test::RunSpec spec;
    // `cat` proves mxc read stdin to its end: the command finds it empty.
    spec.argv = {MXC_BINARY, "exec", "-p", "/dev/stdin", "-w",
                 ws.path(),  "--",   "sh", "-c",         "echo \"$PIPED\"; cat"};
    spec.cwd = ws.path();
    spec.stdin_data = "schema = 1\nextends = [\"default\"]\n[env]\nset = { PIPED = \"from-the-pipe\" }\n";
    auto r = mxc::test::run(spec);
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(r.out == "from-the-pipe\n");
}

TEST_CASE("mxc check /dev/stdin: an invalid piped profile is reported like a file") {
    auto r = mxc::test::mxc({"check", "/dev/stdin"}, "schema = 1\n[limits]\nmemory = \"huge\"\n");
    CHECK(r.status == 1);
    CHECK(r.err.find("/dev/stdin:3:") != std::string::npos);
}

TEST_CASE("mxc -v exec: global -v before the subcommand shows each setup step on stderr only") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "-v", "exec", "-w", ws.path(), "--", "sh", "-c", "echo out; echo err >&2"};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(r.out == "out\n");  // the command's stdout, untouched
    for (const char* step :
         {"setup: host facts", "setup: namespaces: clone", "setup: user namespace", "setup: mount namespace",
          "setup: landlock", "setup: seccomp", "setup: limits"}) {
        CHECK_MESSAGE(r.err.find(step) != std::string::npos, step << " missing from: " << r.err);
    }
    CHECK(r.err.find(" ms\n") != std::string::npos);
    CHECK(r.err.find("err\n") != std::string::npos);
}

TEST_CASE("mxc -q exec and mxc exec: global -q is accepted, and without -v nothing is logged") {
    TempDir ws;
    for (const char* flag : {"-q", "--quiet", ""}) {
        mxc::test::RunSpec spec;
        spec.argv = {MXC_BINARY};
        if (*flag != '\0') spec.argv.emplace_back(flag);
        spec.argv.insert(spec.argv.end(), {"exec", "-w", ws.path(), "--", "sh", "-c", "exit 3"});
        spec.cwd = ws.path();
        auto r = mxc::test::run(spec);
        CHECK_MESSAGE(r.status == 3, flag << ": " << r.err);
        CHECK_MESSAGE(r.err.empty(), flag << ": " << r.err);
    }
}

TEST_CASE(
    "mxc exec: help and usage errors read as the full parser's and another subcommand's name is a word") {
    // main.cpp parses with only the named subcommand built and falls back to
    // the full parser for anything that parse refuses, and for any argv that
    // names a second subcommand (the full parser would classify it).
    auto help = mxc::test::mxc({"exec", "--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("Usage: mxc exec [OPTIONS] [command...]") != std::string::npos);
    CHECK(help.out.find("--die-with-parent") != std::string::npos);
    auto all = mxc::test::mxc({"--help"});
    CHECK(all.status == 0);
    for (const char* sub : {"exec", "learn", "check", "explain", "profiles", "doctor", "log"}) {
        CAPTURE(sub);
        CHECK(all.out.find(std::string("  ") + sub + " ") != std::string::npos);
    }
    auto bogus = mxc::test::mxc({"exec", "--bogus", "--", "true"});
    CHECK(bogus.status == 125);
    CHECK(bogus.err == "mxc: The following argument was not expected: --bogus (see mxc --help)\n");
    auto word = mxc::test::mxc({"exec", "log", "--", "true"});
    CHECK(word.status == 125);
    CHECK(word.err == "mxc: put the command after --: mxc exec [OPTIONS] -- log ...\n");
    auto missing = mxc::test::mxc({"log", "--suggest"});
    CHECK(missing.status == 2);
    CHECK(missing.err == "mxc: file is required (see mxc --help)\n");
}
