#pragma once
// Observing the host: kernel features and the caller's launch context. This
// is the only I/O compile_plan's input depends on.
#include <string>
#include <vector>

#include "platform/linux/plan/plan.hpp"
#include "platform/platform.hpp"

namespace mxc::lnx {

// Highest Landlock ABI the running kernel supports; 0 if none.
int landlock_abi();

// Resolves one rule path a component at a time (lstat, readlink), recording
// every symlink it follows. A path same-or-under `trusted_prefix` starts from
// `trusted_resolved` (the workspace, which the user named).
PathFact observe_path(const std::string& path, const std::string& trusted_prefix = {},
                      const std::string& trusted_resolved = {});

// Facts for compile_plan. `request` may be null (explain: no session, cwd).
HostFacts gather_host_facts(const policy::ResolvedPolicy& policy, const platform::ExecRequest* request);

// `mxc doctor`.
std::vector<platform::Capability> probe_capabilities();

}  // namespace mxc::lnx
