// The sandbox's init cloned before the plan exists (early_init.hpp): used
// when it fits the plan, ended unused otherwise, never left behind. Every
// case also runs with --no-early, the path that clones init when the plan
// is ready, so both stay tested.
#include <doctest/doctest.h>

#include "support.hpp"

using mxc::itest::processes_with;
using mxc::itest::sandbox;
using mxc::itest::wait_until_gone;
using mxc::test::TempDir;

namespace {

std::vector<std::string> with(std::vector<std::string> args, bool early) {
    if (!early) args.insert(args.begin(), "--no-early");
    return args;
}

}  // namespace

TEST_CASE("early init: the command's status, output and environment arrive as with a late clone") {
    for (bool early : {true, false}) {
        CAPTURE(early);
        TempDir ws;
        auto r =
            sandbox(ws.path(),
                    with({"--set", "MXC_T=a b", "--", "sh", "-c", "echo \"$MXC_T\" $#; exit 5", "x"}, early));
        CHECK(r.status == 5);
        CHECK(r.out == "a b 0\n");
    }
}

TEST_CASE("early init: a process limit (v1 pids leaf as root, rlimit otherwise) still binds") {
    for (bool early : {true, false}) {
        CAPTURE(early);
        TempDir ws;
        auto r = sandbox(ws.path(),
                         with({"--processes", "4", "--", "bash", "-c",
                               "for i in 1 2 3 4 5 6 7 8; do sleep 1 2>/dev/null & done; wait; echo started"},
                              early));
        INFO("status ", r.status, "\n", r.err);
        if (!mxc::test::unprivileged() && r.status == 125) {
            // No writable pids cgroup for root: refused (limits_test.cpp).
            CHECK(r.err.find("limits.processes") != std::string::npos);
        } else {
            // bash retries a failed fork, or gives up (254): timing decides.
            CHECK(r.err.find("fork") != std::string::npos);
        }
    }
}

TEST_CASE("early init: with the host's network it is ended unused and the run clones its own") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--net", "host", "--", "sh", "-c", "echo 987.301"});
    CHECK(r.status == 0);
    CHECK(r.out == "987.301\n");
    CHECK(wait_until_gone("987.301", std::chrono::milliseconds(2000)));
}

TEST_CASE("early init: a refused run leaves no init behind") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--missing", "error", "--read", "/nonexistent-mxc-987.302", "--", "true"});
    CHECK(r.status == 125);
    CHECK(wait_until_gone("987.302", std::chrono::milliseconds(2000)));
}

TEST_CASE("early init: background processes are gone when mxc returns") {
    for (bool early : {true, false}) {
        CAPTURE(early);
        TempDir ws;
        const std::string marker = early ? "987.303" : "987.304";
        auto r = sandbox(ws.path(), with({"--", "sh", "-c", "(sleep " + marker + " &); exit 0"}, early));
        CHECK(r.status == 0);
        CHECK(processes_with(marker).empty());
    }
}
