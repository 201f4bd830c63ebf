// The command child, forked by the sandbox init (pid 2 in the sandbox). Order
// matters: fd hygiene first, then capabilities, no_new_privs, Landlock (needs
// no_new_privs), seccomp (it may forbid syscalls the earlier steps need),
// rlimits (after them nothing may allocate), then execve. A command standby
// (command_standby.hpp) emptied the bounding set, set no_new_privs and
// loaded the filter first: every
// later step's calls are ones the filter allows (it denies no capability,
// Landlock, chdir, close_range, prlimit or execve call).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/exit_codes.hpp"
#include "platform/linux/apply/capabilities.hpp"
#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/landlock.hpp"
#include "platform/linux/apply/limits.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace mxc::lnx {
namespace {

[[noreturn]] MXC_ON_CLONE_STACK void fail(const SandboxSpec& spec, const Status& st) {
    send_report(spec.report_fd, ReportTag::SetupError, st.error().message);
    _exit(exit_code::kMxcFailure);
}

// Where execvp would look for argv[0] on the sandbox's PATH (glibc's
// execvpe would search the PATH of *our* environment, not envp's). Computed
// before the rlimits are applied: after RLIMIT_DATA an allocation may fail.
std::vector<std::string> exec_candidates(const SandboxSpec& spec) {
    const char* file = spec.argv[0];
    if (file == nullptr || *file == '\0') return {};
    if (std::strchr(file, '/') != nullptr) return {file};
    std::vector<std::string> out;
    const std::string& path = spec.path_env;
    std::size_t start = 0;
    while (true) {
        std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        out.push_back((dir.empty() ? std::string(".") : dir) + "/" + file);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

// execvp semantics over the candidates, without the /bin/sh fallback for
// ENOEXEC: argv is passed exactly, never through a shell. Allocates nothing.
int exec_search(const SandboxSpec& spec, const std::vector<std::string>& candidates) {
    int result = ENOENT;
    for (const auto& candidate : candidates) {
        ::execve(candidate.c_str(), spec.argv.data(), spec.envp.data());
        switch (errno) {
            case ENOENT:
            case ENOTDIR:
            case ELOOP:
            case ENAMETOOLONG:
            case ESTALE:
                break;
            case EACCES:
                result = EACCES;  // remember, but a later entry may still work
                break;
            default:
                return errno;
        }
    }
    return result;
}

}  // namespace

[[noreturn]] MXC_ON_CLONE_STACK void exec_command(const SandboxSpec& spec, const PreloadedSteps* preload) {
    const LinuxPlan& plan = *spec.plan;
    StepClock steps(spec.report_steps, spec.report_fd);
    if (preload != nullptr) {
        if (preload->failed_step != nullptr)
            fail(spec, make_error(std::string(preload->failed_step) + ": " +
                                  std::strerror(static_cast<int>(-preload->result))));
        steps.done("bounding set, no_new_privs, seccomp (while the mount tree was built)");
    }
    if (::chdir(plan.cwd.c_str()) != 0) {
        int err = errno;
        fail(spec, make_error("working directory " + plan.cwd + " is not visible in the sandbox (" +
                              std::strerror(err) + "): add it to [filesystem].read or .write"));
    }
    const std::vector<std::string> candidates = exec_candidates(spec);
    // Whatever mxc had open (audit log, pipes, sockets) must not reach the
    // command: only 0/1/2 survive execve.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (auto st = drop_capabilities(preload != nullptr); !st) fail(spec, st);
    steps.done("cwd, fd hygiene, capabilities dropped");
    if (preload == nullptr) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            fail(spec, make_error("PR_SET_NO_NEW_PRIVS failed"));
        steps.done("no_new_privs");
    }
    if (auto st = apply_landlock(plan.landlock); !st) fail(spec, st);
    steps.done("landlock");
    if (spec.seccomp != nullptr && preload == nullptr) {
        if (auto st = apply_seccomp(spec.seccomp->code()); !st) fail(spec, st);
        steps.done("seccomp");
    }
    if (spec.caller_ignores_sigchld) (void)::signal(SIGCHLD, SIG_IGN);
    ::sigprocmask(SIG_SETMASK, &spec.caller_mask, nullptr);
    // Limits last: RLIMIT_DATA counts the private memory this child shares
    // with init (CLONE_VM), so any allocation after it could fail; nothing below
    // allocates. setrlimit is not in the seccomp filter.
    if (auto st = apply_rlimits(plan.rlimits); !st) fail(spec, st);
    steps.done("limits: rlimits");
    int err = exec_search(spec, candidates);
    send_report(spec.report_fd, ReportTag::ExecErrno, std::to_string(err));
    _exit(exit_code::of(err == ENOENT ? exit_code::ExecFailure::NotFound
                                      : exit_code::ExecFailure::NotExecutable));
}

}  // namespace mxc::lnx
