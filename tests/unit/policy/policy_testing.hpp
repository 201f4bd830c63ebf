#pragma once
// Helpers shared by the policy tests: a fixed context and one-line loaders.
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace mxc::policy::testing {

inline ResolveContext context() {
    ResolveContext ctx;
    ctx.workspace = "/work/project";
    ctx.home = "/home/alice";
    ctx.tmp = "/tmp/mxc-run";
    ctx.cwd = "/work/project/sub";
    return ctx;
}

// Loads `toml` as the profile "/profiles/test.toml".
inline Result<ResolvedPolicy> load(std::string_view toml, const CliOverrides& cli = {}) {
    return load_policy_text(toml, "/profiles/test.toml", cli, context());
}

inline ResolvedPolicy load_ok(std::string_view toml, const CliOverrides& cli = {}) {
    auto r = load(toml, cli);
    if (r) return std::move(r).value();
    ResolvedPolicy failed;
    failed.name = "LOAD FAILED: " + r.error().message;
    return failed;
}

// Every diagnostic for `toml` (named "test.toml"), as user-facing lines.
inline std::vector<std::string> errors(std::string_view toml) {
    std::vector<std::string> out;
    for (const auto& d : check_profile_text(toml, "test.toml")) out.push_back(d.to_string());
    return out;
}

inline std::string first_error(std::string_view toml) {
    auto all = errors(toml);
    return all.empty() ? "(no error)" : all.front();
}

inline const PathRule* rule_for(const ResolvedPolicy& p, std::string_view path) {
    for (const auto& r : p.paths) {
        if (r.path == path) return &r;
    }
    return nullptr;
}

}  // namespace mxc::policy::testing
