#pragma once
// Matching of [env] pass/deny patterns (names with '*' and '?', as validated
// by valid_env_pattern) against variable names. One matcher for the policy
// layer and both platforms' environment compilers, so a name that one of
// them treats as denied is denied by all.
#include <string_view>

namespace mxc::policy {

enum class NameCase { Sensitive, Insensitive };

// Windows environment names are case-insensitive; Linux ones are not.
#ifdef _WIN32
inline constexpr NameCase kEnvNameCase = NameCase::Insensitive;
#else
inline constexpr NameCase kEnvNameCase = NameCase::Sensitive;
#endif

bool env_glob_match(std::string_view pattern, std::string_view name, NameCase name_case = kEnvNameCase);

}  // namespace mxc::policy
