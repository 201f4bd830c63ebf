#pragma once
// What this Windows host can enforce, gathered once per mxc invocation and
// fed to the (pure) plan compiler as WindowsHostFacts.
#include <string>

#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

struct HostProbe {
    WindowsHostFacts facts;
    std::string desktop_problem;  // why a private desktop cannot be created; "" if it can
    std::string token_problem;    // why a restricted token cannot be created; "" if it can
};

HostProbe probe_windows_host();

// 32 random hex digits.
std::string random_run_id();

}  // namespace mxc::platform::win
