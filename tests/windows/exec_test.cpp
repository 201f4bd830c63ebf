// mxc::platform::exec end to end, on a hand-built policy (best effort, so
// what the host cannot enforce is a warning): exit status, stdio relay,
// wall-time kill, lookup failures.
#include <doctest/doctest.h>

#include <windows.h>

#include <chrono>

#include "support.hpp"

using mxc::test::win::run_self;

TEST_CASE("exec returns the command's exit status") {
    auto r = run_self({"--exec", "cmd", "/c", "exit 7"});
    CHECK(r.status == 7);
}

TEST_CASE("exec relays the command's stdout untouched") {
    auto r = run_self({"--exec", "cmd", "/c", "echo hello"});
    CHECK(r.status == 0);
    CHECK(r.out == "hello\n");
}

TEST_CASE("exec relays the command's stderr, and keeps it off stdout") {
    auto r = run_self({"--exec", mxc::test::win::self_path(), "--stderr", "to-stderr"});
    CHECK(r.status == 0);
    CHECK(r.err.find("to-stderr\n") != std::string::npos);
    CHECK(r.out.find("to-stderr") == std::string::npos);
}

TEST_CASE("arguments reach the command exactly as given") {
    const std::vector<std::string> args = {"plain",    "two words",    "", "quote\"inside", "back\\slash\\",
                                           "tail\\\\", "\\\"mixed\\\""};
    std::vector<std::string> cmd = {"--exec", mxc::test::win::self_path(), "--print-argv"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    auto r = run_self(cmd);
    CHECK(r.status == 0);
    std::string expected;
    for (const auto& a : args) expected += "<" + a + ">\n";
    CHECK(r.out == expected);
}

TEST_CASE("a command that is not on the sandbox PATH exits 127") {
    auto r = run_self({"--exec", "mxc-no-such-command-xyz"});
    CHECK(r.status == 127);
    CHECK(r.err.find("command not found") != std::string::npos);
}

TEST_CASE("wall_time expiry kills the job and exits 124") {
    SetEnvironmentVariableW(L"MXC_TEST_WALL_MS", L"1000");
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_self({"--exec", mxc::test::win::self_path(), "--sleep", "20000"});
    auto took = std::chrono::steady_clock::now() - t0;
    SetEnvironmentVariableW(L"MXC_TEST_WALL_MS", nullptr);
    CHECK(r.status == 124);
    CHECK(took < std::chrono::seconds(15));
}

TEST_CASE("best effort names what was not enforced on stderr") {
    auto r = run_self({"--exec", "cmd", "/c", "exit 0"});
    CHECK(r.status == 0);
    if (mxc::test::win::under_wine()) {
        // wine 8: no AppContainer API -> restricted-token fallback, and no WFP
        // -> network "none" cannot be enforced for a restricted token.
        CHECK(r.err.find("warning: not enforced: windows.isolation appcontainer") != std::string::npos);
        CHECK(r.err.find("warning: not enforced: network.mode none") != std::string::npos);
        CHECK(r.err.find("error 1764") != std::string::npos);
    }
}

TEST_CASE("the command sees MXC_SESSION_ID and not mxc's other variables") {
    SetEnvironmentVariableW(L"MXC_TEST_SECRET", L"leak");
    auto r = run_self({"--exec", mxc::test::win::self_path(), "--print-env", "MXC_SESSION_ID"});
    auto s = run_self({"--exec", mxc::test::win::self_path(), "--print-env", "MXC_TEST_SECRET"});
    SetEnvironmentVariableW(L"MXC_TEST_SECRET", nullptr);
    CHECK(r.status == 0);
    CHECK(r.out.size() == 33);  // 32 hex digits + newline
    CHECK(s.out == "(unset)\n");
}

TEST_CASE("dry run prints the plan on stdout and runs nothing") {
    SetEnvironmentVariableW(L"MXC_TEST_DRY_RUN", L"1");
    auto r = run_self({"--exec", "cmd", "/c", "exit 7"});
    SetEnvironmentVariableW(L"MXC_TEST_DRY_RUN", nullptr);
    CHECK(r.status == 0);
    CHECK(r.out.find("run sid: S-1-15-3-1024-") != std::string::npos);
    CHECK(r.out.find("job: flags=0x00002400") != std::string::npos);
}
