#pragma once
// TOML text -> RawProfile. Checks structure only (unknown keys, value types);
// what the values mean is the validator's job. toml++ stays inside load.cpp.
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "policy/raw_profile.hpp"

namespace mxc::policy {

struct LoadedProfile {
    RawProfile raw;
    bool parsed = false;                  // false: the text is not TOML, `raw` is empty
    std::vector<Diagnostic> diagnostics;  // in source order
};

// `file` names the text in positions ("x.toml", "builtin:default"); `dir` is
// the directory {profile_dir} and relative `extends` refer to ("" for built-ins).
LoadedProfile load_profile_text(std::string_view text, const std::string& file, const std::string& dir,
                                bool builtin);

}  // namespace mxc::policy
