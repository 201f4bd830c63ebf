#pragma once
// What the supervisor hands to the cloned sandbox init: the plan plus the
// pre-built argv/envp arrays and the two pipes. Built before clone so the
// child does as little as possible.
#include <signal.h>
#include <sys/types.h>

#include <cstdint>

#include <string>
#include <vector>

#include "platform/linux/apply/mounts.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

class CommandStandby;

// Supervisor -> init: "terminate the whole tree gracefully" (wall_time).
// Real-time, so it can never be one of the signals relayed for the user.
inline int terminate_tree_signal() {
    return SIGRTMIN;
}

// Signals relayed from mxc to the command (docs/design.md).
inline constexpr int kRelayedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

struct SandboxSpec {
    const LinuxPlan* plan = nullptr;
    // Seccomp filters as BPF, resolved before clone (seccomp_precompiled.hpp):
    // the default filter for the command, and the connect broker / learning
    // filter init installs (null when the plan has neither).
    const BpfProgram* seccomp = nullptr;
    const BpfProgram* broker = nullptr;
    std::vector<char*> argv;              // null-terminated
    std::vector<char*> envp;              // null-terminated
    std::string path_env;                 // sandbox PATH used to look up argv[0]
    int report_fd = -1;                   // write end, CLOEXEC
    int alive_fd = -1;                    // read end; EOF/HUP means the supervisor is gone
    int sockets_fd = -1;                  // own network namespace: init's end of the socket handoff channel
    int pids_tasks_fd = -1;               // v1 pids cgroup: the leaf's `tasks`, open for writing
    int pids_leave_fd = -1;               // v1 pids cgroup: the parent's `tasks`, open for writing
    sigset_t caller_mask{};               // signal mask to restore for the command
    bool caller_ignores_sigchld = false;  // restore SIG_IGN for the command
    bool report_steps = false;            // -v: send a Step report after each setup step
    // An early init (early_init.hpp) mapped its ids, made itself
    // non-dumpable and brought up loopback in its own network namespace
    // before the plan existed; init skips those steps.
    bool namespaces_ready = false;
    // Early init: the mount tree's profile-independent start, built before
    // the orders (mounts.hpp, premount_sandbox_root).
    Premounted premounted;
    // Early init: the orders stream, on which the supervisor's go-ahead for
    // the command arrives (init_orders.hpp, kGoAhead) with `go_fds`
    // descriptors (the v1 pids leaf's, which then are not in pids_*_fd
    // above); -1 otherwise.
    int go_fd = -1;
    std::uint32_t go_fds = 0;
    // Early init: the sockets it opened, and the broker listener it got,
    // before its orders; null otherwise.
    SandboxSockets* ready_sockets = nullptr;
    // Early init: the command's child it cloned before its orders, waiting
    // to be armed (command_standby.hpp); null otherwise.
    CommandStandby* idle_standby = nullptr;
};

// The signals sandbox init handles through its signalfd: the relayed ones,
// SIGCHLD and terminate_tree_signal().
sigset_t init_signal_set();

// In init: true once the supervisor is gone (the alive pipe's write end
// closed).
bool supervisor_gone(int alive_fd);

// fork()-like clone into new namespaces (and into the cgroup v2 leaf
// `cgroup_fd` when >= 0): the child continues on a copy of the caller's
// stack, so the caller must be single-threaded.
pid_t clone_sandbox(std::uint64_t flags, int cgroup_fd);

// Entry point of the cloned child (pid 1 of the new pid namespace). Never returns.
[[noreturn]] void sandbox_init_main(const SandboxSpec& spec);

// In the forked command child: last restrictions, then execve. Never returns.
// Marks code that runs on the command child's own clone() stack. ASan cannot
// follow that stack switch and reports it at every noreturn call made there
// (google/sanitizers#189), so sanitizer builds leave these functions
// uninstrumented; the rest of the child's code is still checked.
#define MXC_ON_CLONE_STACK __attribute__((no_sanitize("address")))

// What a command standby (command_standby.hpp) did before exec_command:
// the capability bounding set emptied, no_new_privs and the seccomp
// filter, or the step that failed.
struct PreloadedSteps {
    long result = 0;                    // 0, or -errno of the failed step
    const char* failed_step = nullptr;  // null when every step worked
};

// `preload`: the standby's steps, which exec_command then skips; null when
// exec_command does them itself.
[[noreturn]] MXC_ON_CLONE_STACK void exec_command(const SandboxSpec& spec,
                                                  const PreloadedSteps* preload = nullptr);

}  // namespace mxc::lnx
