#pragma once
// Renders a suggestion as a profile (OUT.toml of `mxc learn`) that extends
// the base one: each learned rule on its own line with a comment naming the
// programs that needed it, so `mxc explain` points at that line.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "learn/suggestion.hpp"

namespace mxc::learn {

struct ProfileHeader {
    std::string extends;       // the base as `extends` writes it: "default", "./base.toml"
    std::string command;       // the learned command line, for the header comment
    std::string generated_at;  // "2026-12-01T01:02:03Z"
};

// The whole profile. Fails only when `header.extends` cannot be written in
// TOML (invalid UTF-8).
Result<std::string> write_profile(const Suggestion& s, const ProfileHeader& header);

// A [network] table allowing `hosts` (rules that need review commented out).
// `count_label`: "denied" adds "denied 3x" to each comment (`mxc log
// --suggest --toml`); "" leaves counts out.
std::string network_table(const std::vector<HostNeed>& hosts, const std::string& count_label);

}  // namespace mxc::learn
