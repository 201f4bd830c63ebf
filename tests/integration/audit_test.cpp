#include <doctest/doctest.h>

#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::TempDir;

TEST_CASE("audit: start lists what is enforced, exit has status and resource usage") {
    TempDir ws;
    const std::string log = ws.path() + "/audit.jsonl";
    auto r = sandbox(ws.path(), {"--audit", log, "--", "sh", "-c", "exit 3"});
    CHECK(r.status == 3);
    const std::string text = mxc::test::read_file(log);
    const auto nl = text.find('\n');
    REQUIRE(nl != std::string::npos);
    const std::string start = text.substr(0, nl);
    const std::string exit = text.substr(nl + 1);
    CHECK(start.find("\"event\":\"start\"") != std::string::npos);
    CHECK(start.find("\"platform\":\"linux\"") != std::string::npos);
    CHECK(start.find("landlock ABI") != std::string::npos);
    CHECK(start.find("pid namespace") != std::string::npos);
    CHECK(exit.find("\"event\":\"exit\"") != std::string::npos);
    CHECK(exit.find("\"status\":3") != std::string::npos);
    CHECK(exit.find("\"reason\":\"exited\"") != std::string::npos);
    CHECK(exit.find("\"wall_ms\":") != std::string::npos);
    CHECK(exit.find("\"max_rss_kb\":") != std::string::npos);
}

TEST_CASE("audit: a timeout is recorded with reason timeout") {
    TempDir ws;
    const std::string log = ws.path() + "/audit.jsonl";
    CHECK(sandbox(ws.path(), {"--audit", log, "--timeout-ms", "100", "--", "sleep", "5"}).status == 124);
    CHECK(mxc::test::read_file(log).find("\"reason\":\"timeout\"") != std::string::npos);
}

TEST_CASE("audit: a signal death is recorded with the signal") {
    TempDir ws;
    const std::string log = ws.path() + "/audit.jsonl";
    CHECK(sandbox(ws.path(), {"--audit", log, "--", "sh", "-c", "kill -USR1 $$"}).status == 138);
    const std::string text = mxc::test::read_file(log);
    CHECK(text.find("\"signal\":10") != std::string::npos);
    CHECK(text.find("\"reason\":\"signaled\"") != std::string::npos);
}

TEST_CASE("a working directory outside every rule is refused with 125 and a hint") {
    TempDir ws;
    TempDir elsewhere;
    mxc::test::RunSpec spec;
    spec.argv = mxc::itest::driver_argv(ws.path(), {"--", "true"});
    spec.cwd = elsewhere.path();
    auto r = mxc::test::run(spec);
    CHECK(r.status == 125);
    CHECK(r.err.find("working directory " + elsewhere.path()) != std::string::npos);
}

TEST_CASE("audit: a hook the run planted is removed and recorded as a tamper event that mxc log shows") {
    TempDir ws;
    ws.write(".git/HEAD", "ref: refs/heads/main\n");
    ws.write(".git/config", "[core]\n\tbare = false\n");
    ws.write(".git/hooks/pre-commit.sample", "#!/bin/sh\n");
    const std::string log = ws.path() + "/audit.jsonl";
    auto r = sandbox(ws.path(), {"--audit", log, "--", "sh", "-c",
                                 "printf '#!/bin/sh\\nid\\n' > .git/hooks/pre-commit && "
                                 "printf '\\tfsmonitor = id\\n' >> .git/config"});
    CHECK(r.status == 0);
    CHECK(r.err.find("mxc: tamper: " + ws.path() + "/.git/hooks/pre-commit: created") != std::string::npos);
    CHECK(r.err.find("core.fsmonitor") != std::string::npos);
    CHECK_FALSE(mxc::test::read_file(ws.path() + "/.git/config").find("fsmonitor") != std::string::npos);
    const std::string text = mxc::test::read_file(log);
    CHECK(text.find(R"("event":"tamper","path":")" + ws.path() + R"(/.git/hooks/pre-commit")") !=
          std::string::npos);
    // Tamper events come before the exit event of their session.
    CHECK(text.find("\"event\":\"tamper\"") < text.find("\"event\":\"exit\""));
    auto shown = mxc::test::mxc({"log", log});
    CHECK(shown.status == 0);
    CHECK(shown.out.find("tamper   " + ws.path() + "/.git/hooks/pre-commit: created") != std::string::npos);
}

TEST_CASE("audit: what a run planted is undone even when wall_time kills it") {
    TempDir ws;
    ws.write(".git/HEAD", "ref: refs/heads/main\n");
    ws.write(".git/config", "[core]\n\tbare = false\n");
    auto r = sandbox(ws.path(), {"--timeout-ms", "300", "--", "sh", "-c",
                                 "echo '[core] hooksPath = /tmp' >> .git/config; exec sleep 5"});
    CHECK(r.status == 124);
    CHECK(mxc::test::read_file(ws.path() + "/.git/config") == "[core]\n\tbare = false\n");
    CHECK(r.err.find("mxc: tamper: " + ws.path() + "/.git/config: modified; it set core.hookspath") !=
          std::string::npos);
}

TEST_CASE("tamper reports print a planted name's control bytes escaped, not to the terminal") {
    TempDir ws;
    ws.write(".git/HEAD", "ref: refs/heads/main\n");
    ws.write(".git/hooks/pre-commit.sample", "#!/bin/sh\n");
    auto r = sandbox(ws.path(),
                     {"--", "sh", "-c", "touch \".git/hooks/x$(printf '\\033')]0;owned$(printf '\\007')\""});
    CHECK(r.status == 0);
    CHECK(r.err.find("mxc: tamper: ") != std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\x07') == std::string::npos);
    CHECK(r.err.find("\\x1b]0;owned\\x07") != std::string::npos);
}
