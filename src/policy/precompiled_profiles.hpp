#pragma once
// The built-in profiles parsed at build time (issue 14). toml++ turning the
// embedded text into a RawProfile was a third of the profile loading of every
// run (0.56M of `default`'s 1.8M instructions): mxc_profile_gen parses each
// built-in once during the build, with the same loader, and writes the
// RawProfile as code; a run copies it. Cross builds, where the generator
// cannot run, get an empty table and parse at run time.
//
// Not linked into mxc_policy: the CLI hands the table to the resolver
// (ResolveContext::precompiled), so the generator can link the loader
// without a cycle. unit_policy checks every entry against a fresh parse.
#include <span>
#include <string_view>

#include "policy/raw_profile.hpp"

namespace mxc::policy {

struct PrecompiledProfile {
    std::string_view name;  // as in policies/NAME.toml
    RawProfile (*make)();   // what load_profile_text(without_comments(text), "builtin:NAME", "", true) gives
};

// Defined in the generated precompiled_profiles_data.cpp.
std::span<const PrecompiledProfile> precompiled_profiles();

}  // namespace mxc::policy
