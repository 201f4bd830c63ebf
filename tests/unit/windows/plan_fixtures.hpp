#pragma once
// Hand-built ResolvedPolicy values for the Windows plan tests (the loader is
// tested separately; these pin the compiler's input exactly).
#include <string>

#include "platform/windows/plan/windows_plan.hpp"
#include "policy/host_rules.hpp"

namespace mxc::test::win {

inline policy::Origin at(int line) {
    return policy::Origin{"C:\\profiles\\p.toml", line, 1, ""};
}

inline policy::ResolvedPolicy base_policy(const std::string& name = "coding-agent") {
    policy::ResolvedPolicy p;
    p.name = name;
    p.source = "C:\\profiles\\p.toml";
    p.workspace = "C:\\work\\proj";
    p.home = "C:\\Users\\u";
    p.tmp = "C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run";
    p.network.mode = {policy::NetMode::None, at(10)};
    return p;
}

inline void add_path(policy::ResolvedPolicy& p, std::string path, policy::Access access, int line = 20) {
    p.paths.push_back(policy::PathRule{std::move(path), access, at(line)});
}

inline platform::win::WindowsHostFacts facts() {
    platform::win::WindowsHostFacts f;
    f.os_build = 19045;
    f.user_sid = "S-1-5-21-1-2-3-1001";
    f.logon_sid = "S-1-5-5-0-4242";
    f.run_id = "0123456789abcdef0123456789abcdef";
    return f;
}

inline const platform::RuleVerdict* find_verdict(const platform::win::WindowsPlan& plan,
                                                 const std::string& rule) {
    for (const auto& v : plan.verdicts)
        if (v.rule == rule) return &v;
    return nullptr;
}

// The verdicts of one severity (platform/verdicts.hpp), in plan order.
inline std::vector<const platform::RuleVerdict*> verdicts_of(const platform::win::WindowsPlan& plan,
                                                             platform::Severity severity) {
    std::vector<const platform::RuleVerdict*> out;
    for (const auto& v : plan.verdicts)
        if (v.severity == severity) out.push_back(&v);
    return out;
}

}  // namespace mxc::test::win
