#pragma once
#include <string>

#include "common/result.hpp"
#include "policy/policy.hpp"

namespace mxc::cli {

// Values of {workspace} {home} {tmp} and the cwd for this invocation.
// `session` names the per-run {tmp}; the applier creates it inside the sandbox.
// The managed policy in force (docs/managed.md) is loaded here, so every
// command that resolves a profile obeys it; an untrusted or broken managed
// file is this function's error.
Result<policy::ResolveContext> make_resolve_context(const std::string& workspace_flag,
                                                    const std::string& session);

}  // namespace mxc::cli
