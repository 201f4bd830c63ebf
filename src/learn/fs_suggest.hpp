#pragma once
// The [filesystem] part of a suggestion: which recorded paths the base
// profile does not already cover, collapsed to the fewest sensible rules
// (docs/learn.md, "Collapsing").
#include <string>

#include "learn/suggestion.hpp"

namespace mxc::learn {

// Fills read, write, denied, not_learned and layer of `out`.
void suggest_paths(const SuggestInput& input, Suggestion& out);

// A rule text the profile loader takes back as the same path: valid UTF-8,
// no control characters, and braces only in a leading variable.
bool representable_in_profile(const std::string& rule);

}  // namespace mxc::learn
