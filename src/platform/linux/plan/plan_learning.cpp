// compile_learning: the exec plan of the base profile turned into the
// learning sandbox's plan (issue 13; docs/design.md "Learning sandbox").
#include <algorithm>
#include <string>

#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {
namespace {

bool is_same_or_under(const std::string& path, const std::string& dir) {
    if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
    return path.size() == dir.size() || dir == "/" || path[dir.size()] == '/';
}

// Kernel and special filesystems: nothing of the caller's to learn, and some
// (autofs) would mount on access.
bool pseudo_fs(const std::string& type) {
    static constexpr const char* kTypes[] = {
        "proc",    "sysfs",     "devtmpfs",    "devpts",     "cgroup",   "cgroup2",    "autofs",
        "mqueue",  "debugfs",   "tracefs",     "securityfs", "pstore",   "bpf",        "configfs",
        "fusectl", "hugetlbfs", "binfmt_misc", "nsfs",       "efivarfs", "rpc_pipefs", "selinuxfs"};
    return std::any_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return type == t; });
}

}  // namespace

void compile_learning(const policy::ResolvedPolicy& policy, const HostFacts& facts, bool allow_net,
                      LinuxPlan& plan) {
    LearningPlan learning;
    learning.allow_everything = allow_net && plan.proxy.has_value();
    learning.tmp_dir = policy.tmp;
    // The sandbox mounts its own /proc, /dev and /tmp; /sys is never shown.
    learning.hidden = {"/proc", "/sys", "/dev", "/tmp"};
    if (!policy.tmp.empty() && !is_same_or_under(policy.tmp, "/tmp")) learning.hidden.push_back(policy.tmp);
    for (const auto& m : facts.host_mounts) {
        learning.mount_points.push_back(m.target);
        const bool under_hidden =
            std::any_of(learning.hidden.begin(), learning.hidden.end(),
                        [&](const std::string& h) { return is_same_or_under(m.target, h); });
        if (!under_hidden && pseudo_fs(m.fstype)) learning.hidden.push_back(m.target);
    }
    for (const std::string& dir : {policy.home, policy.workspace, facts.cwd, std::string("/var/tmp")}) {
        if (dir.empty() || dir[0] != '/' || dir == "/") continue;
        const bool under_hidden = std::any_of(learning.hidden.begin(), learning.hidden.end(),
                                              [&](const std::string& h) { return is_same_or_under(dir, h); });
        if (!under_hidden) learning.split_points.push_back(dir);
    }
    std::sort(learning.mount_points.begin(), learning.mount_points.end());
    learning.mount_points.erase(std::unique(learning.mount_points.begin(), learning.mount_points.end()),
                                learning.mount_points.end());

    for (const auto& m : plan.mounts) {
        if (m.kind == MountKind::Tmp) learning.layer_size = m.size;
    }
    // Right after the empty root, before every mount of the base profile:
    // its write rules (real read-write binds), read rules and deny masks
    // then cover the view exactly as they cover the empty root in exec.
    auto root = std::find_if(plan.mounts.begin(), plan.mounts.end(),
                             [](const MountOp& m) { return m.kind == MountKind::RootTmpfs; });
    const auto at = root == plan.mounts.end() ? plan.mounts.begin() : root + 1;
    plan.mounts.insert(at, MountOp{MountKind::LearnView, "/", "/", true,
                                   "learning: the host read-only, writes to a throwaway overlay"});

    // Landlock would block the very reads learning is there to see: in
    // learning mode the mounts are the boundary (docs/design.md "Learning
    // sandbox").
    plan.landlock = LandlockPlan{};
    plan.verdicts.erase(std::remove_if(plan.verdicts.begin(), plan.verdicts.end(),
                                       [](const platform::RuleVerdict& v) {
                                           return v.rule == "filesystem (second layer)" ||
                                                  v.rule == "landlock scoping";
                                       }),
                        plan.verdicts.end());
    plan.verdicts.push_back(platform::RuleVerdict{
        "learning mode", "", "host read-only with a throwaway overlay, path calls recorded"});
    plan.verdicts.push_back(platform::RuleVerdict{
        "filesystem (second layer)", "", "none", platform::Severity::Caveat,
        "learning mode: no Landlock layer; the mounts are the only filesystem boundary"});
    if (learning.allow_everything) {
        plan.verdicts.push_back(platform::RuleVerdict{"learning mode", "--allow-net-learning",
                                                      "every destination allowed", platform::Severity::Caveat,
                                                      "every destination allowed"});
    }
    // Everything outside the hidden areas is visible now: the caller's own
    // directory is the start (in a hidden area, exec's choice stands).
    const bool cwd_hidden = std::any_of(learning.hidden.begin(), learning.hidden.end(),
                                        [&](const std::string& h) { return is_same_or_under(facts.cwd, h); });
    if (!cwd_hidden && !facts.cwd.empty()) {
        plan.cwd = facts.cwd;
        plan.cwd_note.clear();
    }
    plan.learning = std::move(learning);
}

}  // namespace mxc::lnx
