#include "platform/linux/apply/exit_handoff.hpp"

#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace mxc::lnx {
namespace {

constexpr std::size_t kHelperStack = 16 * 1024;

// Runs on its own stack in mxc's address space, with every signal blocked:
// system calls only (a failed one sets errno, which mxc, exiting, no longer
// reads).
int teardown_helper(void* arg) {
    const pid_t parent = *static_cast<const pid_t*>(arg);
    // No descriptor of mxc's stays open because of the helper.
    if (::syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_UNSHARE) != 0) ::syscall(SYS_exit, 0);
    ::syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // mxc exited before the death signal was armed: nothing to wait for.
    if (::syscall(SYS_getppid) != parent) ::syscall(SYS_exit, 0);
    for (;;) ::syscall(SYS_ppoll, nullptr, 0, nullptr, nullptr, 0);
}

}  // namespace

void hand_off_teardown() {
    void* stack =
        ::mmap(nullptr, kHelperStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return;
    // mxc's pid, at the far end of the helper's stack (it grows down).
    auto* parent = static_cast<pid_t*>(stack);
    *parent = ::getpid();
    sigset_t all;
    sigset_t old;
    ::sigfillset(&all);
    // The helper starts with every signal blocked: a handler of mxc's must
    // never run on its stack, in memory mxc is still using.
    if (::pthread_sigmask(SIG_SETMASK, &all, &old) != 0) return;
    // Exit signal 0: mxc is not notified, and no wait of its reaps it.
    (void)::clone(teardown_helper, static_cast<char*>(stack) + kHelperStack, CLONE_VM | CLONE_FILES, parent);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace mxc::lnx
