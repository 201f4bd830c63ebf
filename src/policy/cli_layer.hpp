#pragma once
// Command-line flags as the last profile layer: same merge rules as a child
// profile, each value's Origin naming its flag.
#include <string>
#include <vector>

#include "policy/paths.hpp"
#include "policy/policy.hpp"

namespace mxc::policy {

void apply_cli_overrides(ResolvedPolicy& policy, const CliOverrides& cli, const PathVars& vars,
                         const std::string& cwd, std::vector<Diagnostic>& diagnostics);

}  // namespace mxc::policy
