#pragma once
// Builders for hand-made policies and host facts: the compiler is pure, so
// every test states exactly what the "host" looks like.
#include <string>

#include "platform/linux/plan/plan.hpp"
#include "policy/host_rules.hpp"

namespace mxc::lnx::test {

inline policy::Origin origin(const std::string& file, int line) {
    return policy::Origin{file, line, 1, ""};
}

struct Scenario {
    policy::ResolvedPolicy policy;
    HostFacts facts;

    Scenario() {
        policy.name = "t";
        policy.tmp = "/tmp/mxc-s1";
        facts.landlock_abi = 7;
        facts.user_namespaces = true;
        facts.uid = 1000;
        facts.gid = 1000;
        facts.session_id = "s1";
        facts.cwd = "/home/u/proj";
        facts.cgroup.reason = "not delegated: test";
    }
    // A rule on an existing host path (resolved to itself unless `resolved`).
    Scenario& rule(const std::string& path, policy::Access a, bool is_dir = true,
                   const std::string& resolved = "", const std::string& link = "") {
        policy.paths.push_back({path, a, origin("p.toml", static_cast<int>(policy.paths.size()) + 1)});
        facts.paths[path] = PathFact{true, resolved.empty() ? path : resolved, is_dir, link, {}};
        return *this;
    }
    // Records that resolving `path` followed the symlink `at` -> `target`.
    Scenario& via_link(const std::string& path, const std::string& at, const std::string& target) {
        facts.paths[path].links.push_back(LinkHop{at, target});
        return *this;
    }
    Scenario& missing(const std::string& path, policy::Access a) {
        policy.paths.push_back({path, a, origin("p.toml", static_cast<int>(policy.paths.size()) + 1)});
        facts.paths[path] = PathFact{};
        return *this;
    }
    [[nodiscard]] LinuxPlan compile() const { return compile_plan(policy, facts); }
};

inline const MountOp* find_mount(const LinuxPlan& plan, const std::string& target) {
    for (const auto& m : plan.mounts) {
        if (m.target == target) return &m;
    }
    return nullptr;
}

inline int mount_index(const LinuxPlan& plan, const std::string& target) {
    for (std::size_t i = 0; i < plan.mounts.size(); ++i) {
        if (plan.mounts[i].target == target) return static_cast<int>(i);
    }
    return -1;
}

inline const LandlockRule* find_landlock(const LinuxPlan& plan, const std::string& path) {
    for (const auto& r : plan.landlock.rules) {
        if (r.path == path) return &r;
    }
    return nullptr;
}

inline bool contains_text(const std::vector<std::string>& lines, const std::string& needle) {
    for (const auto& l : lines) {
        if (l.find(needle) != std::string::npos) return true;
    }
    return false;
}

using platform::RuleVerdict;
using platform::Severity;

// The verdicts of one severity (platform/verdicts.hpp), in plan order.
inline std::vector<const RuleVerdict*> verdicts_of(const LinuxPlan& plan, Severity severity) {
    std::vector<const RuleVerdict*> out;
    for (const auto& v : plan.verdicts) {
        if (v.severity == severity) out.push_back(&v);
    }
    return out;
}

// The first verdict for `rule` (exact rule text) with that severity.
inline const RuleVerdict* find_verdict(const LinuxPlan& plan, Severity severity, const std::string& rule) {
    for (const auto& v : plan.verdicts) {
        if (v.severity == severity && v.rule == rule) return &v;
    }
    return nullptr;
}

}  // namespace mxc::lnx::test
