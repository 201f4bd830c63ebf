#pragma once
// The built-in profiles: policies/*.toml, embedded at build time by
// embed_profiles.cmake so the binary needs no install path.
#include <optional>
#include <span>
#include <string_view>

namespace mxc::policy {

struct EmbeddedProfile {
    std::string_view name;  // file stem: "default", "coding-agent"
    std::string_view text;  // the TOML, byte for byte
};

// Defined in the generated builtin_profiles_data.cpp.
std::span<const EmbeddedProfile> embedded_profiles();

std::optional<std::string_view> builtin_text(std::string_view name);

}  // namespace mxc::policy
