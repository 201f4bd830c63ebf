#pragma once
// Which managed policy file this run obeys, and loading it (issue 15,
// docs/managed.md). Every command that resolves a profile for a run goes
// through make_resolve_context, which calls this.
#include <memory>
#include <string>

#include "common/result.hpp"
#include "policy/managed.hpp"

namespace mxc::cli {

// The file this run looks at: the build-time path, or $MXC_MANAGED_POLICY
// when (and only when) this binary runs from its own build tree, so tests
// can point it elsewhere and an installed mxc never lets the caller's
// environment choose.
std::string managed_policy_path();

// The parsed managed policy; null when the file does not exist. An
// untrusted or broken file is an error (one diagnostic per line).
Result<std::shared_ptr<const policy::ManagedPolicy>> load_managed_policy();

}  // namespace mxc::cli
