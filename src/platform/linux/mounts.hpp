#pragma once
#include <vector>

#include "common/result.hpp"
#include "platform/linux/plan.hpp"

namespace mxc::lnx {

// Carries out plan.mounts and pivot_roots into the result. Must run in a
// private mount namespace owned by our user namespace (the sandbox init).
Status build_sandbox_root(const std::vector<MountOp>& ops);

}  // namespace mxc::lnx
