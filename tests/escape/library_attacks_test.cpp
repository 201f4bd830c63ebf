// Libraries the supervisor loads while the sandbox runs: with the caller's
// LD_LIBRARY_PATH naming a directory the sandbox can write, a library planted
// there during the run must never be what the unconfined supervisor loads
// (it loads them before the sandbox exists: supervisor.cpp,
// preload_network_libraries).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "escape_support.hpp"

using mxc::escape::exists;
using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::Scene;
using mxc::escape::slurp;

namespace {

// Whether the supervisor (the spawned mxc: env(1) execs it) has libldns
// mapped while the command sleeps, before anything sent a DNS query.
bool libldns_mapped_during_run(Scene& s) {
    const std::string ready = s.ws + "/ready";
    mxc::escape::SpawnOptions opt;
    opt.cwd = s.ws;
    opt.log = s.root + "/spawn.log";
    opt.env = s.env;
    const pid_t pid =
        mxc::escape::spawn(s.inside_argv({"-c", "echo > " + ready + "; exec sleep 20"}, "/bin/sh"), opt);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!exists(ready) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    INFO("log:\n", slurp(opt.log));
    REQUIRE_MESSAGE(exists(ready), "the command never started");
    const bool mapped = slurp("/proc/" + std::to_string(pid) + "/maps").find("libldns") != std::string::npos;
    ::kill(pid, SIGTERM);
    mxc::escape::wait_for(pid, std::chrono::seconds(20));
    ::unlink(ready.c_str());
    return mapped;
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("a libldns planted on LD_LIBRARY_PATH during the run is not loaded by the supervisor") {
        Scene s;
        const std::string dir = s.ws + "/lib";  // like a project's LD_LIBRARY_PATH=./lib
        const std::string marker = dir + "/loaded";
        // The fake library is readable in the workspace under another name:
        // nothing named libldns.so.3 exists on the path when mxc starts.
        const std::string source = s.plant("ws/fake-library.so", slurp(MXC_FAKE_LIBRARY));
        // The directory exists when mxc starts (ld.so never searches again a
        // path directory that was missing at startup), without the library.
        s.plant("ws/lib/README", "the project's own libraries\n");
        s.env["LD_LIBRARY_PATH"] = dir;
        s.env["MXC_FAKE_LIB_MARKER"] = marker;

        mxc::test::RunResult inside = s.inside({"plant_library", source, dir, "libldns.so.3"});
        CHECK_MESSAGE(!exists(marker),
                      "ESCAPE: the supervisor ran the constructor of a library planted during the run");
        expect_blocked(inside, "loading a libldns planted during the run");

        // Control: the same LD_LIBRARY_PATH, the same file name, loaded by
        // dlopen() as the supervisor would: the constructor runs.
        ::unlink(marker.c_str());
        if (!exists(dir + "/libldns.so.3")) s.plant("ws/lib/libldns.so.3", slurp(MXC_FAKE_LIBRARY));
        mxc::test::RunResult bare = s.bare({"libldns.so.3"}, MXC_DLOPEN_PROBE);
        expect_control(bare, "dlopen(libldns.so.3) with LD_LIBRARY_PATH");
        CHECK_MESSAGE(exists(marker), "control: the fake library's constructor did not run when loaded");
    }

    // The fix's mechanism, and its cost kept off ordinary starts (issue 14):
    // with LD_LIBRARY_PATH the stub's library is in the supervisor before the
    // command runs; without it, it is still loaded on the first query only.
    TEST_CASE("the supervisor loads libldns before the sandbox only when LD_LIBRARY_PATH is set") {
        Scene s;
        CHECK_MESSAGE(!libldns_mapped_during_run(s), "libldns loaded at start without LD_LIBRARY_PATH");
        s.plant("ws/lib/README", "the project's own libraries\n");
        s.env["LD_LIBRARY_PATH"] = s.ws + "/lib";
        CHECK_MESSAGE(libldns_mapped_during_run(s), "libldns not loaded before the run with LD_LIBRARY_PATH");
    }
}
