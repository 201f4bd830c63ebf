// The sandbox's init cloned before the plan exists (early_init.hpp): used
// when it fits the plan, ended unused otherwise, never left behind. The
// cases that run a command also run with --no-early, the path that clones
// init when the plan is ready, so both stay tested (the process limit: in
// limits_test.cpp).
#include <doctest/doctest.h>
#include <unistd.h>

#include "support.hpp"

using mxc::itest::kSanitized;
using mxc::itest::plain_env;
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

TEST_CASE("early init: a plan that binds the host's root still gets the sandbox's own /proc") {
    // The early init mounts /proc before the plan exists (mounts.hpp,
    // premount_sandbox_root); a rule on "/" binds over it, so the plan's
    // mount tree is built again from nothing. Control: the host's /proc
    // lists more processes than the sandbox's few.
    for (bool early : {true, false}) {
        CAPTURE(early);
        TempDir ws;
        const std::string count = "ls /proc | grep -c '^[0-9]'";
        auto r = sandbox(ws.path(), with({"--read", "/", "--", "sh", "-c", count}, early));
        REQUIRE(r.status == 0);
        const int inside = std::stoi(r.out);
        CHECK(inside <= 4);
        auto host = mxc::itest::bare(ws, {"sh", "-c", count});
        REQUIRE(host.status == 0);
        CHECK(std::stoi(host.out) > inside);
    }
}

// The supervisor sends the early init its orders before it sets up the
// limits and its timers, so init builds the mount tree meanwhile; a failure
// in between must still end that init before it runs anything. Not under the
// sanitizers: their runtime must come first in the library list, before the
// preloaded shim (network_first_use_test.cpp).
TEST_CASE("early init: a supervisor that fails after the orders runs nothing" * doctest::skip(kSanitized)) {
    TempDir ws;
    const std::string ran = ws.path() + "/ran";
    auto run = [&](bool fail_timers) {
        mxc::test::RunSpec spec;
        spec.argv = {MXC_BINARY, "exec",    "-p", "default", "-v", "--timeout",   "30s",
                     "-w",       ws.path(), "--", "sh",      "-c", "touch " + ran};
        spec.cwd = ws.path();
        spec.env = plain_env();
        if (fail_timers) (*spec.env)["LD_PRELOAD"] = MXC_FAIL_TIMERFD;
        spec.timeout = std::chrono::milliseconds(20000);
        return mxc::test::run(spec);
    };
    auto failed = run(true);
    INFO("stderr:\n", failed.err);
    CHECK(failed.status == 125);
    // The failure came after the orders went to an early init.
    CHECK(failed.err.find("orders sent") != std::string::npos);
    CHECK(failed.err.find("limits.wall_time: timerfd_create") != std::string::npos);
    CHECK(::access(ran.c_str(), F_OK) != 0);
    // Control: the same run without the shim runs the command.
    auto ok = run(false);
    INFO("control stderr:\n", ok.err);
    CHECK(ok.status == 0);
    CHECK(::access(ran.c_str(), F_OK) == 0);
}
