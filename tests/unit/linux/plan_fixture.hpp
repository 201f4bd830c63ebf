#pragma once
// Builders for hand-made policies and host facts: the compiler is pure, so
// every test states exactly what the "host" looks like.
#include <string>

#include "platform/linux/plan.hpp"

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

}  // namespace mxc::lnx::test
