#pragma once
// A caller that ignores SIGCHLD would make the kernel reap our child behind
// our back (wait4 -> ECHILD, and no SIGCHLD ever): force the default while
// a sandbox init exists and restore it afterwards.
#include <signal.h>

namespace mxc::lnx {

struct SigchldGuard {
    struct sigaction saved {};
    bool was_ignored = false;
    SigchldGuard() {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGCHLD, &dfl, &saved);
        was_ignored = saved.sa_handler == SIG_IGN;
    }
    ~SigchldGuard() { ::sigaction(SIGCHLD, &saved, nullptr); }
    SigchldGuard(const SigchldGuard&) = delete;
    SigchldGuard& operator=(const SigchldGuard&) = delete;
};

}  // namespace mxc::lnx
