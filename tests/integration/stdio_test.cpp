#include <doctest/doctest.h>

#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::TempDir;

TEST_CASE("argv reaches the command exactly: spaces, quotes, newlines, empty strings, invalid UTF-8") {
    TempDir ws;
    const std::vector<std::string> args = {
        "a b", "'single'", "\"double\"", "line1\nline2", "", "\xff\xfe\x80", "$HOME", "*", "-n"};
    std::vector<std::string> cmd = {"--", "printf", "%s\\0"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    auto r = sandbox(ws.path(), cmd);
    REQUIRE(r.status == 0);
    std::string expected;
    for (const auto& a : args) expected += a + '\0';
    CHECK(r.out == expected);
}

TEST_CASE("binary stdin reaches stdout byte for byte") {
    TempDir ws;
    std::string data;
    for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>((i * 7919) & 0xff));
    auto r = sandbox(ws.path(), {"--", "cat"}, data);
    CHECK(r.status == 0);
    CHECK(r.out.size() == data.size());
    CHECK(r.out == data);
}

TEST_CASE("EOF on stdin reaches the command") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "wc", "-c"});
    CHECK(r.status == 0);
    CHECK(r.out == "0\n");
}

TEST_CASE("a closed stdout kills the command with SIGPIPE as without mxc") {
    TempDir ws;
    // Background starts bash with default signal dispositions (the test
    // runner itself ignores SIGPIPE, which children would inherit).
    mxc::itest::Background bg(
        {"/bin/bash", "-c",
         std::string(MXC_DRIVER) + " -w " + ws.path() + " -- yes | head -c 4; echo \" ${PIPESTATUS[0]}\""},
        ws.path());
    CHECK(bg.wait() == 0);
    CHECK(bg.out() == "y\ny\n 141\n");
}

TEST_CASE("only fds 0, 1 and 2 are open in the command") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "ls /proc/self/fd"});
    CHECK(r.status == 0);
    // ls itself holds the directory fd (3) while listing.
    CHECK(r.out == "0\n1\n2\n3\n");
}

TEST_CASE("the command writes to the caller's own stdout: no pipe in between") {
    TempDir ws;
    const std::string file = ws.path() + "/captured";
    mxc::test::RunSpec spec;
    spec.argv = {
        "bash", "-c",
        std::string(MXC_DRIVER) + " -w " + ws.path() + " -- sh -c 'readlink /proc/self/fd/1' > " + file};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(mxc::test::read_file(file) == file + "\n");
}

TEST_CASE("environment: only passed variables, deny beats pass, set values, MXC_SESSION_ID") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = mxc::itest::driver_argv(
        ws.path(), {"--no-defaults", "--read",     "/usr",    "--read",  "/bin",    "--read", "/lib",
                    "--read",        "/lib64",     "--write", ws.path(), "--pass",  "PATH",   "--pass",
                    "MXCT_*",        "--env-deny", "*_TOKEN", "--set",   "CI=true", "--",     "env"});
    spec.cwd = ws.path();
    spec.env = std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"},
                                                  {"MXCT_A", "1"},
                                                  {"MXCT_TOKEN", "secret"},
                                                  {"OTHER", "x"},
                                                  {"HOME", "/root"}};
    auto r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("MXCT_A=1\n") != std::string::npos);
    CHECK(r.out.find("MXCT_TOKEN") == std::string::npos);
    CHECK(r.out.find("OTHER") == std::string::npos);
    CHECK(r.out.find("HOME") == std::string::npos);
    CHECK(r.out.find("CI=true\n") != std::string::npos);
    CHECK(r.out.find("MXC_SESSION_ID=") != std::string::npos);
}

TEST_CASE("the caller's environment is not readable through the sandbox init") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = mxc::itest::driver_argv(ws.path(), {"--", "sh", "-c", "cat /proc/1/environ; echo rc=$?"});
    spec.cwd = ws.path();
    spec.env = std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}, {"MXCT_TOKEN", "leaked-secret"}};
    auto r = mxc::test::run(spec);
    CHECK(r.out.find("leaked-secret") == std::string::npos);
    CHECK(r.out.find("rc=1") != std::string::npos);
}
