#pragma once
// The early init's own side (early_init.hpp): what runs in the child, either
// right after clone in mxc's copy of itself, or in the mxc-init helper that
// the child executes (init_helper.hpp).
#include <sched.h>
#include <signal.h>

#include "common/result.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"

namespace mxc::lnx {

// What the child keeps from before clone: plain values, no objects whose
// destructors the child would never run.
struct EarlyChild {
    int report_fd;
    int alive_fd;
    int channel_fd;
    int orders_fd;
    unsigned uid;
    unsigned gid;
    bool caller_ignores_sigchld;
    bool verbose;
    // The helper's ids were mapped before its execve (it keeps its
    // capabilities in the new user namespace only as uid 0 there).
    bool ids_mapped = false;
    // The caller's signal mask, when the current one is not it: the helper
    // starts with every signal blocked (init_helper.cpp). Null: the current
    // mask is the caller's.
    const sigset_t* caller_mask = nullptr;
    // The caller's CPU affinity, to put back before anything else: mxc
    // started the helper on another core (init_helper.cpp).
    bool restore_affinity = false;
    cpu_set_t cpu_affinity{};
    // Where the connect broker's filter comes from when the precompiled
    // table lacks it (broker_program). Null in mxc-init, which does not
    // link libseccomp and is started only when the table has it.
    Result<BpfProgram> (*compile_broker)(bool network, bool learning) = nullptr;
};

// The connect broker's filter an early init loads before its orders.
Result<BpfProgram> early_broker_filter(const EarlyChild& c);

[[noreturn]] void early_init_main(const EarlyChild& c);

}  // namespace mxc::lnx
