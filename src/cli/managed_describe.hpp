#pragma once
// The managed policy's part of `mxc explain` and `mxc exec --dry-run`
// (docs/managed.md): its rules with their origins, and what it removed
// from or capped in the profile and flags.
#include <string>

#include "policy/model.hpp"

namespace mxc::cli {

// Text block starting with "[managed] <path>", one line per rule and change.
std::string describe_managed(const policy::ManagedSummary& m);

// {"path", "sha256", "rules": [{rule, origin}], "changes": [{rule, origin, action, by}]}
std::string managed_json(const policy::ManagedSummary& m);

}  // namespace mxc::cli
