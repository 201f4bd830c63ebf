#pragma once
// Host facts about the policy's rule paths for the plan compiler: the first
// link (symlink, junction, mount point) on each path, the temp directory, and
// mxc's own directories. The compiler decides what a link means (I1 in
// windows_plan.hpp); this only looks, without following anything.
#include <string>
#include <vector>

#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

// Fills facts.path_facts, facts.temp_dir and facts.private_dirs.
void probe_path_facts(const policy::ResolvedPolicy& policy, WindowsHostFacts& facts);

// The first name-surrogate reparse point on `extended_path` (a \\?\ path),
// root first, the path itself included; "" when there is none or the path
// stops existing before one.
std::string first_link_on(const std::string& extended_path);

}  // namespace mxc::platform::win
