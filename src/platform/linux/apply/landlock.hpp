#pragma once
#include "common/result.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// Builds the ruleset from the plan (paths as seen inside the sandbox, after
// pivot_root) and restricts the calling thread. Needs no_new_privs.
Status apply_landlock(const LandlockPlan& plan);

}  // namespace mxc::lnx
