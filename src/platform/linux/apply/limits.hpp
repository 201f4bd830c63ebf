#pragma once
#include <vector>

#include "common/result.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// setrlimit(soft = hard = value) for each setting; a hard limit can then never
// be raised again by the command.
Status apply_rlimits(const std::vector<RlimitSetting>& limits);

}  // namespace mxc::lnx
