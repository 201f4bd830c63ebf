#pragma once
// The [env] part of a suggestion: variables that a program the command ran
// is known to read, that the caller has set, and that the base profile
// withholds. Names only, from a small built-in table: a learning run never
// looks at values, and never proposes a name that looks like a secret.
#include <string>
#include <string_view>
#include <vector>

#include "learn/suggestion.hpp"

namespace mxc::learn {

// Variables known to matter to `program` (a basename; "python3.11" and
// "gcc-12" are looked up as "python" and "gcc"): names or globs.
std::vector<std::string_view> known_variables(std::string_view program);

// True for a name that may hold a credential (TOKEN, SECRET, PASSWORD, KEY,
// AUTH, CREDENTIAL, ...): never proposed, not even commented out.
bool looks_secret(std::string_view name);

// The names in `environ_entries` ("NAME=VALUE" or "NAME"), values dropped.
std::vector<std::string> env_names(const std::vector<std::string>& environ_entries);

// `programs`: basenames of every program the run used.
std::vector<EnvNeed> suggest_env(const std::vector<std::string>& programs,
                                 const std::vector<std::string>& env_names, const policy::EnvRules& base);

}  // namespace mxc::learn
