#pragma once
// The built-in profiles: policies/*.toml, embedded at build time by
// embed_profiles.cmake so the binary needs no install path.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mxc::policy {

struct EmbeddedProfile {
    std::string_view name;  // file stem: "default", "coding-agent"
    std::string_view text;  // the TOML, byte for byte
};

// Defined in the generated builtin_profiles_data.cpp.
std::span<const EmbeddedProfile> embedded_profiles();

std::optional<std::string_view> builtin_text(std::string_view name);

// A built-in's text as the parser needs it: comments (two thirds of the
// default profile's bytes, which toml++ reads at the cost of values) and the
// blanks before them removed. Every line keeps its number and every value
// its column, so origins ("builtin:default:32:3") do not change. For the
// built-ins only: in a user's file a comment can hold a parse error that
// must be reported. Text with multi-line strings is returned unchanged.
std::string without_comments(std::string_view text);

}  // namespace mxc::policy
