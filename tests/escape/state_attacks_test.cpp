// Attacks that outlive one run (issue 10, attacks 5 to 7): a file mxc writes
// on the host, RAM the sandbox fills through its tmpfs mounts, a sandbox
// that outlives the process that started it.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "escape_support.hpp"

using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::Scene;

namespace {

long file_size(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : -1;
}

std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// A second run's view of the log file a first run replaced.
mxc::test::RunResult second_run(Scene& s) {
    return s.inside({"-c", "true"}, "/bin/sh");
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("attack 5: an audit log replaced by a symlink to a shell rc file is refused by the next run") {
        Scene s;
        const std::string rc = s.plant("home/.bashrc", "# the user's rc\n");
        const std::string log = s.ws + "/agent.jsonl";
        s.flags.insert(s.flags.end(), {"--audit", log});

        // Run 1 (inside mxc, the log in its writable workspace) plants the link.
        auto plant =
            s.inside({"-c", "rm -f agent.jsonl && ln -s " + sh_quote(rc) + " agent.jsonl"}, "/bin/sh");
        INFO("run 1: ", plant.err);
        REQUIRE(plant.status == 0);

        auto run2 = second_run(s);
        INFO("run 2: status ", run2.status, "\n", run2.err);
        CHECK_MESSAGE(mxc::escape::slurp(rc) == "# the user's rc\n",
                      "ESCAPE: mxc appended to the file the planted link points at");
        CHECK(run2.status == 125);
        CHECK(run2.err.find("symbolic link") != std::string::npos);

        // Control: without the check, an append through the link lands in the rc file.
        auto bare = s.bare({"-c", "echo '{\"host\":\"$(id)\"}' >> agent.jsonl"}, "/bin/sh");
        REQUIRE(bare.status == 0);
        CHECK_MESSAGE(mxc::escape::slurp(rc) != "# the user's rc\n",
                      "control: a plain append through the link must change the rc file");
    }

    TEST_CASE("attack 5: an audit log replaced by a FIFO is refused at once, not waited on") {
        Scene s;
        const std::string log = s.ws + "/agent.jsonl";
        s.flags.insert(s.flags.end(), {"--audit", log});
        auto plant = s.inside({"-c", "rm -f agent.jsonl && mkfifo agent.jsonl"}, "/bin/sh");
        INFO("run 1: ", plant.err);
        REQUIRE(plant.status == 0);
        const auto started = std::chrono::steady_clock::now();
        auto run2 = second_run(s);
        INFO("run 2: status ", run2.status, "\n", run2.err);
        CHECK_FALSE(run2.timed_out);
        CHECK(run2.status == 125);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
        // Control: a plain open for writing blocks on the FIFO (no reader).
        auto bare = s.bare({"-c", "timeout 1 sh -c 'echo x >> agent.jsonl'"}, "/bin/sh");
        CHECK_MESSAGE(bare.status == 124, "control: opening the FIFO for writing must block");
    }

    TEST_CASE("attack 5: mxc log prints no terminal control bytes from a denied host name") {
        mxc::test::TempDir dir;
        // What mxc writes for a denied CONNECT to a host name chosen by the
        // agent: the JSON escapes decode to ESC ] ... BEL (set the window
        // title) and a C1 CSI.
        const std::string log = dir.write(
            "agent.jsonl",
            R"({"ts":"2026-01-01T00:00:00.000Z","session":"s1","agent":"a","event":"start","profile":"p","profile_sha256":"00","argv":["curl","\u001b[2J"],"cwd":"/w","user":"u","platform":"linux","enforced":[],"warnings":[]})"
            "\n"
            R"({"ts":"2026-01-01T00:00:01.000Z","session":"s1","agent":"a","event":"net","decision":"deny","host":"\u001b]0;$(id)\u0007x.com\u009b31m","port":443,"proto":"connect","rule":"","bytes_up":0,"bytes_down":0})"
            "\n");
        for (const auto& flags : std::vector<std::vector<std::string>>{{}, {"--json"}, {"--suggest"}}) {
            std::vector<std::string> args{"log"};
            args.insert(args.end(), flags.begin(), flags.end());
            args.push_back(log);
            auto r = mxc::test::mxc(args);
            INFO("mxc log ", flags.empty() ? "" : flags.front(), ": status ", r.status, "\n", r.out, r.err);
            REQUIRE(r.status == 0);
            CHECK_MESSAGE(r.out.find('\x1b') == std::string::npos,
                          "ESCAPE: an ESC byte reached the terminal");
            CHECK_MESSAGE(r.out.find('\x07') == std::string::npos, "ESCAPE: a BEL byte reached the terminal");
            CHECK_MESSAGE(r.out.find("\xc2\x9b") == std::string::npos,
                          "ESCAPE: a C1 CSI reached the terminal");
            CHECK(r.out.find("x.com") != std::string::npos);
        }
        // Control: the log really carries the sequence (it decodes to ESC).
        CHECK(mxc::escape::slurp(log).find("\\u001b]0;") != std::string::npos);
    }

    TEST_CASE("attack 6: /tmp and /dev/shm stop at limits.memory") {
        Scene s;
        s.profile = mxc::escape::profile_path("escape-tmpfs.toml");
        // 256 MiB limit; 32 MiB of slack for rounding to the 16 MiB steps.
        for (const char* dir : {"/tmp", "/dev/shm"}) {
            auto inside = s.inside({"ram_fill", dir, "1024", "288"});
            INFO(dir, ": status ", inside.status, "\n", inside.err);
            CHECK_MESSAGE(inside.status != 0, "ESCAPE: ", std::string(dir), " took more than limits.memory");
            CHECK(inside.status == 1);
            CHECK(inside.err.find("No space left") != std::string::npos);
        }
        // Control: the same writes succeed on a host disk (and are deleted).
        expect_control(s.bare({"ram_fill", s.root, "544", "288"}), "fill a host directory past 288 MiB");
    }

    TEST_CASE("attack 6: the sandbox's RAM filesystems are no larger than limits.memory") {
        Scene s;
        s.profile = mxc::escape::profile_path("escape-tmpfs.toml");
        expect_blocked(s.inside({"fs_larger_than", "/tmp", "256"}), "a /tmp larger than limits.memory");
        expect_blocked(s.inside({"fs_larger_than", "/dev/shm", "256"}),
                       "a /dev/shm larger than limits.memory");
        // Control: the host's own /dev/shm (no size=, half of RAM) is larger.
        expect_control(s.bare({"fs_larger_than", "/dev/shm", "256"}), "host /dev/shm larger than 256 MiB",
                       mxc::escape::Control::IfPossible);
    }

    TEST_CASE("attack 7: with --die-with-parent the sandbox ends when the process that started mxc dies") {
        Scene s;
        // Runs `mxc ... -- sh -c heartbeat` in the background of a parent
        // shell, SIGKILLs that shell, and reports whether the heartbeat
        // still grows afterwards. Leaves mxc's pid in `mxc_pid`.
        auto alive_after_parent_death = [&](bool flag, const std::string& tag, pid_t& mxc_pid) {
            const std::string hb = s.ws + "/hb-" + tag, pidfile = s.root + "/mxc-pid-" + tag;
            std::vector<std::string> extra = s.flags;
            s.flags.insert(s.flags.end(), {"--audit", s.root + "/audit-" + tag + ".jsonl"});
            if (flag) s.flags.push_back("--die-with-parent");
            auto argv = s.inside_argv({"-c", "while :; do echo x >> " + sh_quote(hb) + "; sleep 0.05; done"},
                                      "/bin/sh");
            s.flags = extra;
            std::string cmd;
            for (const auto& a : argv) cmd += sh_quote(a) + " ";
            cmd += "& echo $! > " + sh_quote(pidfile) + "; wait";
            mxc::escape::SpawnOptions opt;
            opt.cwd = s.ws;
            opt.log = s.root + "/parent-" + tag + ".log";
            const pid_t parent = mxc::escape::spawn({"/bin/sh", "-c", cmd}, opt);
            for (int i = 0; i < 1000 && file_size(hb) <= 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            INFO(tag, " log:\n", mxc::escape::slurp(opt.log));
            REQUIRE_MESSAGE(file_size(hb) > 0, "the sandboxed command never started");
            mxc_pid = static_cast<pid_t>(std::atol(mxc::escape::slurp(pidfile).c_str()));
            kill(parent, SIGKILL);
            mxc::escape::wait_for(parent, std::chrono::seconds(10));
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            const long before = file_size(hb);
            std::this_thread::sleep_for(std::chrono::milliseconds(700));
            return file_size(hb) > before;
        };
        pid_t mxc_in = 0, mxc_bare = 0;
        const bool with_flag = alive_after_parent_death(true, "flag", mxc_in);
        CHECK_MESSAGE(!with_flag, "ESCAPE: the sandbox kept running after its parent was SIGKILLed");
        // mxc itself wrote the exit event before leaving.
        std::string audit;
        for (int i = 0; i < 200 && audit.find("\"event\":\"exit\"") == std::string::npos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            audit = mxc::escape::slurp(s.root + "/audit-flag.jsonl");
        }
        INFO("audit:\n", audit);
        CHECK(audit.find("\"reason\":\"parent-died\"") != std::string::npos);

        // Control: without the flag the orphaned mxc keeps its sandbox running.
        const bool without_flag = alive_after_parent_death(false, "noflag", mxc_bare);
        if (mxc_bare > 1) kill(mxc_bare, SIGKILL);  // and that takes the sandbox with it
        if (mxc_in > 1 && with_flag) kill(mxc_in, SIGKILL);
        CHECK_MESSAGE(without_flag, "control: without --die-with-parent the sandbox must outlive the parent");
    }
}  // TEST_SUITE
