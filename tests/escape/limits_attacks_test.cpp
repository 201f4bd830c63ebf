// Attacks on resources and lifetime: bombs against [limits], core dumps,
// and a sandbox process trying to outlive mxc.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "escape_support.hpp"

using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::Scene;

namespace {

void expect_stopped_by_limit(const mxc::test::RunResult& inside, const std::string& what) {
    INFO("inside: status ", inside.status, "\n", inside.err);
    // Blocked (the call failed) or killed by the limit (SIGKILL from the OOM
    // killer, SIGXFSZ), never completed and never an mxc failure.
    CHECK_MESSAGE(inside.status != 0, "ESCAPE: ", what, " completed inside the limits");
    CHECK((inside.status == 1 || inside.status == 128 + SIGKILL || inside.status == 128 + SIGXFSZ ||
           inside.status == 128 + SIGSEGV));
}

long file_size(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("a fork bomb stops at limits.processes") {
        Scene s;
        s.profile = mxc::escape::profile_path("escape-limits.toml");
        mxc::test::RunResult inside = s.inside({"fork_bomb", "200"});
        if (inside.status == 125 && inside.err.find("limits.processes") != std::string::npos) {
            // docs/design.md "Strictness": a limit the host cannot enforce for this
            // caller (RLIMIT_NPROC does not bind host root) refuses the launch.
            MESSAGE("mxc refused to run: ", inside.err);
        } else {
            expect_stopped_by_limit(inside, "fork bomb");
        }
        expect_control(s.bare({"fork_bomb", "200"}), "fork bomb");
    }

    TEST_CASE("a memory bomb stops at limits.memory") {
        Scene s;
        s.profile = mxc::escape::profile_path("escape-limits.toml");
        expect_stopped_by_limit(s.inside({"memory_bomb", "768"}), "memory bomb");
        expect_control(s.bare({"memory_bomb", "768"}), "memory bomb");
    }

    TEST_CASE("filling the disk stops at limits.file_size") {
        Scene s;
        s.profile = mxc::escape::profile_path("escape-limits.toml");
        expect_stopped_by_limit(s.inside({"disk_fill", s.ws + "/big", "16"}), "disk fill");
        expect_control(s.bare({"disk_fill", s.ws + "/big", "16"}), "disk fill");
    }

    TEST_CASE("core dumps stay off: RLIMIT_CORE cannot be raised") {
        Scene s;
        expect_blocked(s.inside({"core_dump"}), "raise RLIMIT_CORE");
        expect_control(s.bare({"core_dump"}), "raise RLIMIT_CORE");
    }

    TEST_CASE("a daemonized sandbox process dies when mxc is SIGKILLed") {
        Scene s;
        auto heartbeat_after_kill = [&](const std::vector<std::string>& argv, const std::string& tag) {
            std::string hb = s.ws + "/heartbeat-" + tag, pidfile = s.ws + "/pid-" + tag;
            mxc::escape::SpawnOptions opt;
            opt.cwd = s.ws;
            opt.log = s.root + "/spawn-" + tag + ".log";
            pid_t pid = mxc::escape::spawn(argv, opt);
            for (int i = 0; i < 1000 && file_size(hb) <= 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            INFO(tag, " log:\n", mxc::escape::slurp(opt.log));
            REQUIRE_MESSAGE(file_size(hb) > 0, "the daemon never started");
            kill(pid, SIGKILL);  // mxc itself (or, bare, the attack's main process)
            mxc::escape::wait_for(pid, std::chrono::seconds(10));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            long before = file_size(hb);
            std::this_thread::sleep_for(std::chrono::milliseconds(600));
            long after = file_size(hb);
            return std::pair{after > before, pidfile};
        };
        auto [inside_alive, inside_pidfile] = heartbeat_after_kill(
            s.inside_argv({"daemonize", s.ws + "/heartbeat-in", s.ws + "/pid-in"}), "in");
        CHECK_MESSAGE(!inside_alive, "ESCAPE: a sandbox process kept running after mxc was SIGKILLed");
        auto [bare_alive, bare_pidfile] = heartbeat_after_kill(
            s.bare_argv({"daemonize", s.ws + "/heartbeat-bare", s.ws + "/pid-bare"}), "bare");
        // The bare daemon's pid is a host pid: stop it now rather than in 60 s.
        if (pid_t daemon = static_cast<pid_t>(std::atol(mxc::escape::slurp(bare_pidfile).c_str()));
            daemon > 1)
            kill(daemon, SIGKILL);
        REQUIRE_MESSAGE(bare_alive, "control: outside mxc the daemon must survive its parent's death");
    }

}  // TEST_SUITE
