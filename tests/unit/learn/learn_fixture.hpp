#pragma once
// Hand-built observations over a fixed host layout, and the base profiles
// they are learned against (the built-ins, resolved for that layout).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "learn/suggestion.hpp"
#include "policy/policy.hpp"

namespace mxc::learn::testing {

inline policy::ResolveContext context() {
    policy::ResolveContext ctx;
    ctx.workspace = "/home/alice/proj";
    ctx.home = "/home/alice";
    ctx.tmp = "/tmp/mxc-run";
    ctx.cwd = "/home/alice/proj";
    return ctx;
}

inline policy::ResolvedPolicy base(const std::string& name = "default") {
    auto p = policy::load_policy(name, {}, context());
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    return std::move(p).value();
}

inline FsObservation read(std::string path, std::string program = "/usr/bin/cat") {
    return FsObservation{std::move(path), FsAccess::Read, std::move(program), true};
}
inline FsObservation probe(std::string path, std::string program = "/usr/bin/python3") {
    return FsObservation{std::move(path), FsAccess::Read, std::move(program), false};
}
inline FsObservation write(std::string path, std::string program = "/usr/bin/touch") {
    return FsObservation{std::move(path), FsAccess::Write, std::move(program), true};
}

struct Learned {
    explicit Learned(policy::ResolvedPolicy base_policy, std::vector<std::string> env_names = {})
        : policy(std::move(base_policy)), env(std::move(env_names)) {}

    Observations obs;
    policy::ResolvedPolicy policy;
    std::vector<std::string> env;
    std::map<std::string, PathKind> kinds;

    Suggestion run() const {
        SuggestInput in;
        in.observations = &obs;
        in.base = &policy;
        in.env_names = env;
        in.kind = [this](const std::string& p) {
            auto it = kinds.find(p);
            return it == kinds.end() ? PathKind::Unknown : it->second;
        };
        return suggest(in);
    }
};

inline std::vector<std::string> rules(const std::vector<PathNeed>& needs) {
    std::vector<std::string> out;
    for (const auto& n : needs) out.push_back(n.rule);
    return out;
}

inline std::vector<std::string> paths(const std::vector<PathRefusal>& list) {
    std::vector<std::string> out;
    for (const auto& r : list) out.push_back(r.path);
    return out;
}

// The profile text passes `mxc check` (as /home/alice/proj/out.toml).
inline bool check_profile_text_ok(const std::string& toml) {
    auto diags = policy::check_profile_text(toml, "/home/alice/proj/out.toml");
    for (const auto& d : diags) MESSAGE(d.to_string());
    return diags.empty();
}

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

}  // namespace mxc::learn::testing
