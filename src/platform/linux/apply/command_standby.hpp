// The command's child, started by sandbox init before the mount tree (an
// early init clones it while it waits for its orders): once armed with the
// plan's filter it empties its capability bounding set, sets no_new_privs
// and loads the command's seccomp filter (about 0.3 ms, most of it the
// kernel's BPF JIT) while init builds the tree, then waits. release() lets
// it do the rest of exec_command once the tree exists and the supervisor's
// go-ahead came, and returns once it has called execve (or exited): until
// then it borrows init's memory, as the CLONE_VFORK child it replaces did.
//
// The child shares init's memory, descriptor table and root from the
// start: before release() it makes raw system calls only (no errno, no
// heap) and touches nothing but its own stack and its block; the first
// thing it does after release() is take its own descriptor table and root.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "common/result.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"

namespace mxc::lnx {

class CommandStandby {
public:
    // Whether this build and plan can start one: raw system calls exist for
    // the architecture, no sanitizer runtime (its per-thread state would be
    // shared with init), a filter to load, and not learning (whose mount
    // tree adds layers). Otherwise init clones the command after the tree.
    static bool usable(const SandboxSpec& spec);
    // The build's part of usable(): whether start_idle() may be called
    // before there is a plan.
    static bool buildable();

    // Clones the child before the plan is known (an early init, while it
    // waits for its orders); it waits for arm().
    static Result<CommandStandby> start_idle();
    // Hands the child the plan (its filter, argv and environment, which
    // must outlive it) and init's signalfd, which it closes once it has its
    // own descriptor table; the child loads the filter now, on another CPU
    // than init's when there is one.
    Status arm(const SandboxSpec& spec, int signal_fd);
    CommandStandby(CommandStandby&& other) noexcept;
    CommandStandby& operator=(CommandStandby&&) = delete;
    CommandStandby(const CommandStandby&) = delete;
    CommandStandby& operator=(const CommandStandby&) = delete;
    ~CommandStandby();

    [[nodiscard]] pid_t pid() const { return pid_; }

    // Lets the child go on to execve and waits until it is past it (or
    // gone): its status comes to init's SIGCHLD like any child's. The
    // child's stack is left mapped (init's own memory, freed with it).
    // With the v1 pids leaf's `tasks` (>= 0), the child first moves itself
    // into the leaf with "0", as init did: a write of its pid by init would
    // take the kernel's global threadgroup lock and wait for an RCU grace
    // period (pids_cgroup.hpp, open_tasks). A failed move ends the child
    // with the error reported, before anything of the command's runs.
    void release(int pids_tasks_fd = -1);

    // What the child reads and writes (command_standby.cpp).
    struct Block;

private:
    CommandStandby(void* mapping, Block* block, pid_t pid) : mapping_(mapping), block_(block), pid_(pid) {}

    void* mapping_ = nullptr;  // the child's stack, its block at the bottom
    Block* block_ = nullptr;
    pid_t pid_ = -1;
};

}  // namespace mxc::lnx
