#include <doctest/doctest.h>

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
    // orders) and with init cloned when the plan is ready.
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
