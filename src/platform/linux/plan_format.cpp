// format_plan: the --dry-run text. Stable, line-oriented, greppable.
#include <string>

#include "platform/linux/plan.hpp"

namespace mxc::lnx {

std::string format_plan(const LinuxPlan& plan) {
    std::string out;
    auto line = [&](const std::string& s) { out += s + "\n"; };
    line("namespaces: user(uid " + std::to_string(plan.uid) + ", gid " + std::to_string(plan.gid) +
         ") mount pid ipc" + (plan.new_net ? " net(loopback only)" : " (host network)"));
    line("mounts:");
    for (const auto& m : plan.mounts) {
        std::string s = "  " + std::string(to_string(m.kind)) + " " + m.target;
        if (m.kind == MountKind::BindRo || m.kind == MountKind::BindRw) {
            if (m.source != m.target) s += " <- " + m.source;
        } else if (m.kind == MountKind::Symlink) {
            s += " -> " + m.source;
        }
        s += "    # " + m.why;
        line(s);
    }
    line("  (then: masks, /dev and the root tmpfs remounted read-only; pivot_root)");
    if (plan.landlock.enabled) {
        line("landlock: ABI " + std::to_string(plan.landlock.abi) + ", handled " +
             describe_landlock_access(plan.landlock.handled_fs) +
             (plan.landlock.scoped != 0 ? ", scoped: abstract-unix-socket signal" : ", scoped: none"));
        for (const auto& r : plan.landlock.rules) {
            line("  " + r.path + ": " + describe_landlock_access(r.access) + "    # " + r.why);
        }
    } else {
        line("landlock: not used");
    }
    line("limits:");
    for (const auto& r : plan.rlimits)
        line("  " + r.name + " = " + std::to_string(r.value) + "    # " + r.why);
    if (plan.cgroup) {
        line("  cgroup " + plan.cgroup->parent + "/" + plan.cgroup->leaf +
             ": memory.max = " + std::to_string(plan.cgroup->memory_max));
    }
    if (plan.wall_time) {
        line("  wall_time = " + std::to_string(plan.wall_time->count()) + "ms (then SIGTERM, " +
             std::to_string(plan.kill_grace.count()) + "ms grace, SIGKILL)");
    }
    line("env:");
    for (const auto& e : plan.env) line("  " + e);
    line("cwd: " + plan.cwd);
    for (const auto& n : plan.notes) line("note: " + n);
    for (const auto& w : plan.warnings) line("warning: " + w);
    for (const auto& u : plan.unenforceable) line("unenforceable: " + u);
    for (const auto& f : plan.fatal) line("error: " + f);
    return out;
}

}  // namespace mxc::lnx
