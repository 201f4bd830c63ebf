#include <doctest/doctest.h>

#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::TempDir;

TEST_CASE("the command's own exit status is mxc's exit status") {
    TempDir ws;
    CHECK(sandbox(ws.path(), {"--", "sh", "-c", "exit 7"}).status == 7);
    CHECK(sandbox(ws.path(), {"--", "true"}).status == 0);
    CHECK(sandbox(ws.path(), {"--", "false"}).status == 1);
}

TEST_CASE("a command killed by signal N gives 128+N") {
    TempDir ws;
    CHECK(sandbox(ws.path(), {"--", "sh", "-c", "kill -TERM $$"}).status == 143);
    CHECK(sandbox(ws.path(), {"--", "sh", "-c", "kill -KILL $$"}).status == 137);
}

TEST_CASE("command not found is 127 with a one-line reason") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "mxc-no-such-command"});
    CHECK(r.status == 127);
    CHECK(r.err.find("mxc-no-such-command") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("a command that is not executable is 126") {
    TempDir ws;
    ws.write("script.sh", "echo hi\n");
    auto r = sandbox(ws.path(), {"--", "./script.sh"});
    CHECK(r.status == 126);
    CHECK(r.err.find("Permission denied") != std::string::npos);
}

TEST_CASE("an absolute path that does not exist is 127") {
    TempDir ws;
    CHECK(sandbox(ws.path(), {"--", "/nonexistent/bin/x"}).status == 127);
}

TEST_CASE("a missing path with missing = error is refused with 125 naming the rule and origin") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--missing", "error", "--read", "/nonexistent-mxc-path", "--", "true"});
    CHECK(r.status == 125);
    CHECK(r.err.find("/nonexistent-mxc-path") != std::string::npos);
    CHECK(r.err.find("flag --rule") != std::string::npos);
}

TEST_CASE("a missing path with missing = ignore is skipped") {
    TempDir ws;
    CHECK(sandbox(ws.path(), {"--read", "/nonexistent-mxc-path", "--", "true"}).status == 0);
}

TEST_CASE("network allowlist runs the command (no rules: every destination is refused by the proxy)") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--net", "allowlist", "--", "sh", "-c", "echo $HTTP_PROXY"});
    CHECK(r.status == 0);
    CHECK(r.out == "http://127.0.0.1:3128\n");
    CHECK(r.err.empty());
}

TEST_CASE("mxc is quiet: nothing on stdout or stderr besides the command's own output") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "echo out; echo err >&2"});
    CHECK(r.status == 0);
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
}

TEST_CASE("dry run prints the plan, runs nothing and exits 0") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--dry-run", "--", "sh", "-c", "touch ran"});
    CHECK(r.status == 0);
    CHECK(r.out.find("mounts:") != std::string::npos);
    CHECK(r.out.find("landlock:") != std::string::npos);
    CHECK(r.out.find("seccomp:") != std::string::npos);
    CHECK(r.out.find("env:") != std::string::npos);
    CHECK(mxc::test::read_file(ws.path() + "/ran").empty());
}
