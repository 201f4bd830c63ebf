#pragma once
// The early init as its own small executable, mxc-init (issue 14;
// docs/design.md "Startup budget"). Cloning mxc's own process for init copies
// the supervisor's page tables and makes every page either process writes
// afterwards a copy-on-write fault: on the machines measured, the clone took
// 0.6-1.2 ms of the supervisor's time and the faults as much again while it
// loaded the profile. Instead the child shares mxc's memory (CLONE_VM, so the
// clone copies nothing and the parent goes on at once), maps its ids, and
// executes mxc-init, which runs early_init_main with a fresh, small address
// space on the other core.
//
// The child runs nothing but raw system calls on its own stack, with every
// signal blocked, and touches only the launch block this object owns: no
// libc state (errno included) that the parent is using at the same time.
//
// mxc-init is found next to the running mxc (a build tree) or in
// ../libexec/mxc (an install), opened without following a link at its
// name, and used only when it is a regular executable file with the same
// owner as mxc's own and writable by no one else; otherwise the run clones
// itself as before (EarlyInit::start).
#include <signal.h>
#include <sys/types.h>

#include <memory>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/early_init_main.hpp"

namespace mxc::lnx {

// An O_PATH descriptor of a usable mxc-init, or an invalid one.
UniqueFd open_init_helper();

// The launch of mxc-init: owns what the child reads until its execve.
class InitHelperLaunch {
public:
    // Clones into new user and pid namespaces and executes `helper` there,
    // passing `child`'s descriptors and flags; the descriptors stay open
    // across that execve only in the child. Null with errno set when the
    // clone failed (nothing was started).
    static std::unique_ptr<InitHelperLaunch> start(int helper, const EarlyChild& child);
    // Unmaps the launch block once the child cannot be reading it any more
    // (it executed mxc-init or was reaped); otherwise leaves it mapped, as
    // a child killed before its execve may still be on that stack.
    ~InitHelperLaunch();
    InitHelperLaunch(const InitHelperLaunch&) = delete;
    InitHelperLaunch& operator=(const InitHelperLaunch&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    // The child is past its execve (it talked to the supervisor, or it was
    // reaped): the block may be unmapped.
    void child_done_with_block() { block_free_ = true; }

    // mxc-init's arguments (init_helper_args.cpp parses them).
    static constexpr int kArgs = 9;

private:
    InitHelperLaunch() = default;
    void* block_ = nullptr;
    std::size_t block_size_ = 0;
    pid_t pid_ = -1;
    bool block_free_ = false;
};

// mxc-init's side: the EarlyChild its arguments describe, or false when they
// are not what InitHelperLaunch passes (mxc-init run by hand).
bool parse_init_helper_args(int argc, const char* const* argv, EarlyChild& out, sigset_t& caller_mask);

}  // namespace mxc::lnx
