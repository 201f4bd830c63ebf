#pragma once
// The learning sandbox's filesystem view (issue 13; docs/design.md "Learning
// sandbox"), built by sandbox init inside its own mount namespace: every host
// directory with no mount below it becomes an overlay whose lower layer is
// the host directory and whose upper layer lives on a tmpfs of the sandbox's
// own (so every write outside the base profile's write rules is thrown away
// with the namespace, even when mxc is killed). Directories with a mount
// below them cannot be an overlay's lower layer in a user namespace (the
// kernel refuses to clone a mount with locked children), so they are
// read-only scaffolding on the sandbox's root tmpfs: their subdirectories are
// placed the same way, their files bound read-only, their symlinks copied.
// The split points (LearningPlan::split_points: home, workspace, working
// directory, /var/tmp) get overlays of their own on top, so writing there
// needs no copy-up of a directory owned by an unmapped user.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/plan/mountinfo.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// The host's mounts as the supervisor sees them.
Result<std::vector<HostMount>> read_host_mounts();

// What init keeps to list the throwaway writes after the command exits.
struct LearnLayers {
    UniqueFd dir;  // the layers tmpfs (not reachable by path after pivot_root)
    // upper directory below `dir` ("3/u") -> the sandbox path it overlays
    std::vector<std::pair<std::string, std::string>> uppers;
    std::vector<std::string> notes;  // directories shown read-only for real or not at all, and why
};

// In sandbox init, between the staging pivot and the base profile's mounts:
// `old_root` is the host's root ("/oldroot"), `new_root` the sandbox root
// being built ("/newroot", an empty tmpfs), `layers_at` an empty directory
// on the staging tmpfs.
Status build_learn_view(const LearningPlan& plan, const std::string& old_root, const std::string& new_root,
                        const std::string& layers_at, LearnLayers& layers);

// Every entry of the upper layers (files, symlinks, whiteouts of removed
// files, empty directories) as a sandbox path, through `layers.dir` without
// following any link. Stops after `cap` entries and returns false then.
bool list_layer_writes(const LearnLayers& layers, std::size_t cap,
                       const std::function<void(const std::string&)>& emit);

}  // namespace mxc::lnx
