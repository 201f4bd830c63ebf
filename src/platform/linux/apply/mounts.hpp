#pragma once
#include <vector>

#include "common/result.hpp"
#include "platform/linux/apply/learn_view.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// What an early init mounted before its orders (premount_sandbox_root).
struct Premounted {
    bool staging = false;  // the staging tmpfs, pivoted into, with the empty file
    // The new root's tmpfs, its /proc and the part of its /dev that every
    // plan has (all but the terminal's console and /dev/shm's size).
    bool root_proc_dev = false;
};

// The part of every plan's mount tree that depends on no profile: the
// staging area, the new root's tmpfs, a hardened procfs at /proc and the
// minimal /dev without its console and /dev/shm (every plan has them,
// compile_plan). An early init builds it while the supervisor compiles the
// plan; build_sandbox_root takes it over when the plan's ops start the same
// way (premount_fits) and removes the root, /proc and /dev otherwise.
Result<Premounted> premount_sandbox_root();
bool premount_fits(const std::vector<MountOp>& ops);

// Carries out plan.mounts and pivot_roots into the result. Must run in a
// private mount namespace owned by our user namespace (the sandbox init).
// `learning` (mxc learn): the plan's LearnView op builds the learning view,
// whose throwaway layers are handed back in `layers`. `premounted`: what
// premount_sandbox_root already did in this namespace.
Status build_sandbox_root(const std::vector<MountOp>& ops, const LearningPlan* learning = nullptr,
                          LearnLayers* layers = nullptr, Premounted premounted = {});

}  // namespace mxc::lnx
