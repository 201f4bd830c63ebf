#pragma once
// The sandboxed command's environment block, Windows flavour: variable names
// compare case-insensitively ("Path" is PATH), and a handful of variables
// without which Windows programs do not start (SystemRoot: Winsock and COM
// fail without it) are always passed unless a deny glob names them.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "policy/model.hpp"

namespace mxc::platform::win {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// pass (minus deny) < set < extra. Result sorted case-insensitively by name,
// the order CreateProcess expects for an environment block.
EnvList build_child_environment(const policy::EnvRules& rules, const EnvList& caller,
                                const std::map<std::string, std::string>& extra);

// Case-insensitive glob with '*' and '?'.
bool env_glob_match(const std::string& pattern, const std::string& name);

// Always passed from the caller (subject to deny).
const std::vector<std::string>& essential_windows_variables();

}  // namespace mxc::platform::win
