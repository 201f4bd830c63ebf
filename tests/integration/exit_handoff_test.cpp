// mxc leaves no process behind (apply/exit_handoff.hpp): the helper that
// frees mxc's address space after it exits dies with it. The harness below is
// a child subreaper, so every process mxc leaves is reparented to it and
// counted.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using mxc::test::TempDir;

namespace {

struct Outcome {
    int status = -1;     // the command's wait status (shell style)
    int leftovers = -1;  // processes still alive `grace` after it exited
};

// Kills and reaps whatever is still a child of this process.
int kill_children() {
    std::ifstream f("/proc/self/task/" + std::to_string(::getpid()) + "/children");
    int n = 0;
    for (pid_t pid = 0; f >> pid;) {
        ::kill(pid, SIGKILL);
        ++n;
    }
    while (::waitpid(-1, nullptr, 0) > 0) {
    }
    return n;
}

// Runs argv (as the test identity, output discarded) under a subreaper;
// after it exits, waits up to `grace` for everything reparented to go.
Outcome run_under_subreaper(const std::vector<std::string>& argv, const std::string& cwd,
                            std::chrono::milliseconds grace) {
    // Built before fork: the harness only makes system calls.
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env;
    env.reserve(mxc::itest::plain_env().size());
    for (const auto& [k, v] : mxc::itest::plain_env()) env.push_back(std::string(k).append("=").append(v));
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const bool drop = mxc::test::unprivileged() && ::geteuid() == 0;
    const uid_t uid = mxc::test::test_uid();
    const gid_t gid = mxc::test::test_gid();
    int result[2];
    REQUIRE(::pipe2(result, O_CLOEXEC) == 0);
    const pid_t harness = ::fork();
    REQUIRE(harness >= 0);
    if (harness == 0) {
        Outcome o;
        if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) ::_exit(90);
        if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(91);
        const pid_t cmd = ::fork();
        if (cmd == 0) {
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            if (::chdir(cwd.c_str()) != 0) ::_exit(92);
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
        int st = 0;
        if (cmd < 0 || ::waitpid(cmd, &st, 0) != cmd) ::_exit(93);
        o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        for (;;) {
            const pid_t r = ::waitpid(-1, nullptr, WNOHANG);
            if (r < 0 && errno == ECHILD) {
                o.leftovers = 0;
                break;
            }
            if (r > 0) continue;
            if (std::chrono::steady_clock::now() > deadline) {
                o.leftovers = kill_children();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        (void)!::write(result[1], &o, sizeof o);
        ::_exit(0);
    }
    ::close(result[1]);
    Outcome o;
    const ssize_t n = ::read(result[0], &o, sizeof o);
    ::close(result[0]);
    int st = 0;
    ::waitpid(harness, &st, 0);
    REQUIRE(n == static_cast<ssize_t>(sizeof o));
    return o;
}

}  // namespace

TEST_CASE("exit: mxc exec leaves no process behind once it has exited") {
    TempDir ws;
    // Control: the harness does see a process a command leaves behind.
    const Outcome control =
        run_under_subreaper({"/bin/sh", "-c", "sleep 5 & exit 3"}, ws.path(), std::chrono::milliseconds(300));
    CHECK(control.status == 3);
    CHECK(control.leftovers == 1);

    for (const char* profile : {"default", "coding-agent"}) {
        CAPTURE(profile);
        const Outcome run =
            run_under_subreaper({MXC_BINARY, "exec", "-p", profile, "--", "sh", "-c", "exit 3"}, ws.path(),
                                std::chrono::milliseconds(2000));
        CHECK(run.status == 3);
        CHECK(run.leftovers == 0);
    }
}
