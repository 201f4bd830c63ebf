#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "platform/linux/apply/pids_cgroup.hpp"
#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::TempDir;

TEST_CASE("limits.open_files is an enforced RLIMIT_NOFILE") {
    TempDir ws;
    auto r = sandbox(
        ws.path(), {"--open-files", "16", "--", "bash", "-c", "ulimit -n; exec 20</dev/null && echo opened"});
    CHECK(r.out == "16\n");
    CHECK(r.status != 0);
}

TEST_CASE("limits.file_size stops writes at the limit") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--file-size", "1000", "--", "sh", "-c", "head -c 5000 /dev/zero > big"});
    CHECK(r.status != 0);
    CHECK(mxc::test::read_file(ws.path() + "/big").size() == 1000);
}

TEST_CASE("core dumps are disabled") {
    TempDir ws;
    CHECK(sandbox(ws.path(), {"--", "sh", "-c", "ulimit -c"}).out == "0\n");
}

TEST_CASE("limits.cpu_time kills a busy loop with SIGXCPU") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--cpu-ms", "500", "--", "sh", "-c", "while :; do :; done"});
    CHECK(r.status == 128 + 24);
}

TEST_CASE("limits.memory without a delegated cgroup is RLIMIT_DATA per process") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--memory", "200000000", "--", "/usr/bin/python3", "-c",
                                 "import resource\nprint(resource.getrlimit(resource.RLIMIT_DATA)[0])\n"
                                 "try:\n  x = bytearray(400000000)\n  print('allocated')\nexcept "
                                 "MemoryError:\n  print('MemoryError')"});
    CHECK(r.out == "200000000\nMemoryError\n");
}

TEST_CASE("limits.processes caps the number of processes (RLIMIT_NPROC or a pids cgroup)") {
    // With the early init (the v1 pids leaf's descriptors travel with its
    // go-ahead, after its orders) and with init cloned when the plan is ready.
    for (const bool early : {true, false}) {
        CAPTURE(early);
        TempDir ws;
        std::vector<std::string> args{
            "--processes",
            "4",
            "--",
            "bash",
            "-c",
            "n=0; for i in 1 2 3 4 5 6 7 8; do sleep 1 2>/dev/null & n=$((n+1)); done; wait; echo started"};
        if (!early) args.insert(args.begin(), "--no-early");
        auto r = sandbox(ws.path(), args);
        INFO("status ", r.status, "\n", r.err);
        if (!mxc::test::unprivileged() && r.status == 125) {
            // Host root is exempt from RLIMIT_NPROC; without a writable pids
            // cgroup the limit cannot bind, and the launch is refused.
            CHECK(r.err.find("limits.processes") != std::string::npos);
            CHECK(r.err.find("no pids cgroup is writable") != std::string::npos);
        } else {
            CHECK(r.err.find("fork") != std::string::npos);
        }
    }
}

TEST_CASE("the process limit counts only the sandbox, not the caller's other processes") {
    TempDir ws;
    // The caller (test runner, shell) already has processes of this uid.
    auto r = sandbox(ws.path(), {"--processes", "3", "--", "sh", "-c", "sleep 0 & wait; echo ok"});
    CHECK(r.status == 0);
    CHECK(r.out == "ok\n");
}

namespace {

// Our own pids cgroup in the v1 hierarchy, as mxc's host facts find it,
// when this caller may create leaves there (root); "" otherwise.
std::string own_v1_pids_dir() {
    if (mxc::test::unprivileged() || ::geteuid() != 0) return "";
    const mxc::lnx::CgroupfsView view = mxc::lnx::observe_cgroupfs();
    if (view.v1_pids_mount.empty() || view.v1_pids_own.empty()) return "";
    const std::string dir = view.v1_pids_mount + (view.v1_pids_own == "/" ? "" : view.v1_pids_own);
    return ::access(dir.c_str(), W_OK) == 0 ? dir : "";
}

}  // namespace

TEST_CASE("a run removes the pids cgroups that killed runs left behind, and only those") {
    // Every start sweeps once (supervisor.cpp, prepare_limits): with the
    // early init and with init cloned when the plan is ready.
    const std::string parent = own_v1_pids_dir();
    if (parent.empty()) {
        MESSAGE("not run: needs root and a writable cgroup v1 pids hierarchy");
        return;
    }
    for (const bool early : {true, false}) {
        CAPTURE(early);
        const std::string stale = parent + "/mxc-sweep-test-stale";
        const std::string fresh = parent + "/mxc-sweep-test-fresh";
        ::rmdir(stale.c_str());  // an earlier, interrupted run's
        ::rmdir(fresh.c_str());
        REQUIRE(::mkdir(stale.c_str(), 0755) == 0);
        REQUIRE(::mkdir(fresh.c_str(), 0755) == 0);
        // An hour old: a leaf of a run SIGKILLed long ago. The fresh one
        // stands for a concurrent run's leaf between its mkdir and its use.
        const timespec hour_ago{std::time(nullptr) - 3600, 0};
        const timespec times[2] = {hour_ago, hour_ago};
        REQUIRE(::utimensat(AT_FDCWD, stale.c_str(), times, 0) == 0);
        TempDir ws;
        std::vector<std::string> args{"--processes", "8", "--", "true"};
        if (!early) args.insert(args.begin(), "--no-early");
        const auto r = sandbox(ws.path(), args);
        INFO("status ", r.status, "\n", r.err);
        CHECK(r.status == 0);
        CHECK(::access(stale.c_str(), F_OK) != 0);
        CHECK(::access(fresh.c_str(), F_OK) == 0);
        ::rmdir(stale.c_str());
        ::rmdir(fresh.c_str());
    }
}
