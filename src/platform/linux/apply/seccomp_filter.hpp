#pragma once
// Loads the default seccomp filter (plan/seccomp_plan.hpp) with libseccomp:
// the last step in the child before execve, after PR_SET_NO_NEW_PRIVS.
#include "common/result.hpp"
#include "platform/linux/plan/seccomp_plan.hpp"

namespace mxc::lnx {

// Loads the filter into the calling thread (and so its future children).
// Requires no_new_privs already set. Returns an error naming what failed.
Status apply_seccomp(const SeccompPlan& plan);

}  // namespace mxc::lnx
