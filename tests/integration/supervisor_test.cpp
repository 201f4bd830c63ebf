// The supervisor's own fds and wait loop: a failure there is exit 125 with a
// one-line reason, never a run that silently lost its wall_time or an exit
// status the command never had (docs/design.md, "CLI contract").
#include <doctest/doctest.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <string>

#include "support.hpp"

using namespace mxc::itest;
using mxc::test::TempDir;

namespace {

// The driver under `ulimit -n limit`: every fd mxc makes past the limit fails
// with EMFILE, a real-world way to make signalfd or timerfd_create fail.
mxc::test::RunResult with_fd_limit(const TempDir& ws, int limit, const std::vector<std::string>& args) {
    mxc::test::RunSpec spec;
    spec.argv = {"/bin/sh", "-c", "ulimit -n \"$0\" && exec \"$@\"", std::to_string(limit)};
    for (const auto& a : driver_argv(ws.path(), args)) spec.argv.push_back(a);
    spec.cwd = ws.path();
    spec.timeout = std::chrono::milliseconds(10000);
    return mxc::test::run(spec);
}

// prlimit(2) on `pid` as the test identity: root in a container may lack
// CAP_SYS_RESOURCE, and the owner of a process may always lower its limits.
bool lower_soft_nofile(pid_t pid, rlim_t soft) {
    const pid_t helper = ::fork();
    if (helper < 0) return false;
    if (helper == 0) {
        const bool drop = ::geteuid() == 0 && mxc::test::unprivileged();
        if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(mxc::test::test_gid()) != 0 ||
                     ::setuid(mxc::test::test_uid()) != 0))
            ::_exit(1);
        rlimit old{};
        if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &old) != 0) ::_exit(2);
        const rlimit low{soft, old.rlim_max};
        ::_exit(::prlimit(pid, RLIMIT_NOFILE, &low, nullptr) == 0 ? 0 : 3);
    }
    int status = 0;
    while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Both tests starve the driver of fds. In the sanitizer build that breaks
// the sanitizer, not mxc: UBSan's vptr check probes memory through pipe2(2),
// which fails with EMFILE, so it reports "object has invalid vptr" for a
// valid std::thread state and exits 1 (seen with strace: pipe2 = -1 EMFILE
// right before the report). The Release build runs them (kSanitized).

std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n' ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("too few fds for the signalfd or the wall_time timer: exit 125 before the command runs" *
          doctest::skip(kSanitized)) {
    TempDir ws;
    bool saw_signalfd = false;
    bool saw_timerfd = false;
    bool ran_to_timeout = false;
    // From a limit mxc cannot even start under up to the first one the run
    // works under (wall_time stops the command: 124). Every limit in between
    // fails somewhere; none may run the command without its wall_time.
    for (int limit = 4; limit <= 64 && !ran_to_timeout; ++limit) {
        CAPTURE(limit);
        const auto start = std::chrono::steady_clock::now();
        auto r = with_fd_limit(ws, limit, {"--timeout-ms", "300", "--", "sh", "-c", "sleep 3; echo ran"});
        const auto took = std::chrono::steady_clock::now() - start;
        CAPTURE(r.status);
        CAPTURE(r.err);
        CHECK(r.status != 0);
        CHECK(r.out.find("ran") == std::string::npos);
        CHECK(took < std::chrono::milliseconds(2500));
        if (r.status == 124) ran_to_timeout = true;
        if (contains(r.err, "signalfd")) {
            saw_signalfd = true;
            CHECK(r.status == 125);
            CHECK(lines(r.err) == 1);
        }
        if (contains(r.err, "limits.wall_time: timerfd_create")) {
            saw_timerfd = true;
            CHECK(r.status == 125);
            CHECK(lines(r.err) == 1);
            CHECK(contains(r.err, "Too many open files"));
        }
    }
    CHECK(ran_to_timeout);
    CHECK(saw_signalfd);
    CHECK(saw_timerfd);
    CHECK(wait_until_gone("sleep 3; echo ran"));
}

TEST_CASE("a poll error in the wait loop: the sandbox is killed and mxc exits 125" *
          doctest::skip(kSanitized)) {
    TempDir ws;
    Background bg(driver_argv(ws.path(), {"--", "sh", "-c", "touch ready; exec sleep 987.301"}), ws.path());
    REQUIRE(wait_for_file(ws.path() + "/ready"));
    // poll(2) refuses more fds than RLIMIT_NOFILE allows (EINVAL) and the wait
    // loop polls four: lower mxc's soft limit from outside, then wake the
    // loop with a relayed signal the command ignores.
    REQUIRE(lower_soft_nofile(bg.pid(), 1));
    bg.signal(SIGWINCH);
    const int status = bg.wait(std::chrono::milliseconds(5000));
    CAPTURE(bg.err());
    CHECK(status == 125);
    CHECK(contains(bg.err(), "poll"));
    CHECK(contains(bg.err(), "Invalid argument"));
    CHECK(wait_until_gone("987.301"));
}
