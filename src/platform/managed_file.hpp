#pragma once
// Reading the managed policy file (issue 15, docs/managed.md) only when it
// can be trusted: it and every directory above it may be changed by an
// administrator alone (policy/managed_trust.hpp decides; this reads what
// the OS reports). One implementation per OS.
#include <optional>
#include <string>

#include "common/result.hpp"

namespace mxc::platform {

// The path this build looks at: the build-time MXC_MANAGED_POLICY_PATH, or
// on Windows by default %ProgramData%\mxc\managed.toml from the known
// folder (never from the caller's environment).
std::string default_managed_policy_path();

// The file's bytes; nullopt when it does not exist (no managed layer).
// An error names the file and the component whose owner, mode, ACL or type
// makes it untrustworthy: a run must then refuse, never ignore the file.
Result<std::optional<std::string>> read_managed_file(const std::string& path);

}  // namespace mxc::platform
