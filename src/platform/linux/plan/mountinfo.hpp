#pragma once
// /proc/self/mountinfo decoded, for HostFacts::host_mounts (the learning
// sandbox, docs/design.md "Learning sandbox"). Pure, so it is unit-tested on
// any text; apply/learn_view.hpp reads the file.
#include <string>
#include <vector>

#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// Parses /proc/self/mountinfo: mount points (octal escapes such as "\040"
// decoded) and filesystem types, in file order.
std::vector<HostMount> parse_mountinfo(const std::string& text);

}  // namespace mxc::lnx
