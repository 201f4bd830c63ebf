#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "support.hpp"

using namespace mxc::itest;
using mxc::test::TempDir;

namespace {
// A command that reports which signal it got, then exits 0.
const char* kTrapScript =
    "for s in INT TERM HUP QUIT USR1 USR2 WINCH; do trap \"echo got $s; exit 0\" $s; done; "
    "touch ready; i=0; while [ $i -lt 400 ]; do sleep 0.02; i=$((i+1)); done; echo timeout";

std::string relay(int sig, const char* name) {
    TempDir ws;
    Background bg(driver_argv(ws.path(), {"--", "bash", "-c", kTrapScript}), ws.path());
    REQUIRE(wait_for_file(ws.path() + "/ready"));
    bg.signal(sig);
    int status = bg.wait();
    CHECK_MESSAGE(status == 0, name, " err=", bg.err());
    return bg.out();
}
}  // namespace

TEST_CASE("SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH sent to mxc reach the command") {
    CHECK(relay(SIGINT, "INT") == "got INT\n");
    CHECK(relay(SIGTERM, "TERM") == "got TERM\n");
    CHECK(relay(SIGHUP, "HUP") == "got HUP\n");
    CHECK(relay(SIGQUIT, "QUIT") == "got QUIT\n");
    CHECK(relay(SIGUSR1, "USR1") == "got USR1\n");
    CHECK(relay(SIGUSR2, "USR2") == "got USR2\n");
    CHECK(relay(SIGWINCH, "WINCH") == "got WINCH\n");
}

TEST_CASE("a relayed fatal signal becomes 128+N") {
    TempDir ws;
    Background bg(driver_argv(ws.path(), {"--", "sh", "-c", "touch ready; exec sleep 30"}), ws.path());
    REQUIRE(wait_for_file(ws.path() + "/ready"));
    usleep(50000);  // let sh exec sleep
    bg.signal(SIGTERM);
    CHECK(bg.wait() == 143);
}

TEST_CASE("wall_time: SIGTERM, exit 124, and the whole tree is gone") {
    TempDir ws;
    const auto start = std::chrono::steady_clock::now();
    auto r =
        sandbox(ws.path(), {"--timeout-ms", "300", "--", "sh", "-c", "sleep 987.101 & sleep 987.101 & wait"});
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.status == 124);
    CHECK(took < std::chrono::seconds(2));
    CHECK(wait_until_gone("987.101"));
}

TEST_CASE("wall_time: a command ignoring SIGTERM is killed after the grace period") {
    TempDir ws;
    const auto start = std::chrono::steady_clock::now();
    auto r = sandbox(ws.path(),
                     {"--timeout-ms", "200", "--", "sh", "-c", "trap '' TERM; sleep 987.102 & wait; wait"});
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.status == 124);
    CHECK(took >= std::chrono::milliseconds(2000));
    CHECK(took < std::chrono::seconds(5));
    CHECK(wait_until_gone("987.102"));
}

TEST_CASE("mxc killed with SIGKILL: the sandbox tree dies and nothing is left on the host") {
    TempDir ws;
    Background bg(driver_argv(ws.path(), {"--tmp", "/tmp/mxc-itest-tmp-987103", "--", "sh", "-c",
                                          "sleep 987.103 & sleep 987.103 & touch ready; wait"}),
                  ws.path());
    REQUIRE(wait_for_file(ws.path() + "/ready"));
    CHECK_FALSE(processes_with("sleep 987.103").empty());
    bg.signal(SIGKILL);
    CHECK(bg.wait() == 137);
    CHECK(wait_until_gone("987.103"));
    CHECK_FALSE(std::filesystem::exists("/tmp/mxc-itest-tmp-987103"));
}

TEST_CASE("when the command exits, background processes it left behind are killed") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "(sleep 987.104 &) ; exit 3"});
    CHECK(r.status == 3);
    // Gone before mxc returned, not just soon after: init killed and reaped
    // it before it reported the exit status (pid_init.cpp, empty_namespace).
    CHECK(processes_with("987.104").empty());
}

TEST_CASE("a caller that ignores SIGCHLD still gets the exit status, and the command inherits the ignore") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.cwd = ws.path();
    spec.argv = {"/usr/bin/python3", "-c",
                 "import os, signal\nsignal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                 "os.execv('" MXC_DRIVER "', ['mxc', '-w', '" +
                     ws.path() +
                     "', '--', '/usr/bin/python3', '-c', "
                     "'import signal,sys; print(signal.getsignal(signal.SIGCHLD)); sys.exit(4)'])\n"};
    auto r = mxc::test::run(spec);
    CHECK(r.status == 4);
    CHECK(r.out == "1\n");  // Handlers.SIG_IGN
}
