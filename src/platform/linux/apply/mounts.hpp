#pragma once
#include <vector>

#include "common/result.hpp"
#include "platform/linux/apply/learn_view.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// Carries out plan.mounts and pivot_roots into the result. Must run in a
// private mount namespace owned by our user namespace (the sandbox init).
// `learning` (mxc learn): the plan's LearnView op builds the learning view,
// whose throwaway layers are handed back in `layers`.
Status build_sandbox_root(const std::vector<MountOp>& ops, const LearningPlan* learning = nullptr,
                          LearnLayers* layers = nullptr);

}  // namespace mxc::lnx
