// format_plan: the --dry-run text. Stable, line-oriented, greppable.
#include <string>

#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

std::string format_plan(const LinuxPlan& plan) {
    std::string out;
    auto line = [&](const std::string& s) { out += s + "\n"; };
    line("namespaces: user(uid " + std::to_string(plan.uid) + ", gid " + std::to_string(plan.gid) +
         ") mount pid ipc" + (plan.new_net ? " net(loopback only)" : " (host network)"));
    if (plan.proxy) {
        std::string rules;
        for (const auto& a : plan.proxy->allow) rules += " allow " + a.text + ";";
        for (const auto& d : plan.proxy->deny) rules += " deny " + d.text + ";";
        line("proxy: 127.0.0.1:" + std::to_string(plan.proxy->port) +
             " in the sandbox's namespace, served by the supervisor (HTTP CONNECT, HTTP, SOCKS5);" + rules +
             " NO_PROXY=\"" + plan.proxy->no_proxy + "\"");
    }
    if (plan.broker) {
        std::string socks;
        for (const auto& u : plan.broker->unix_sockets) socks += " " + u.path + ";";
        line(std::string(
                 "broker: seccomp user notification on connect/listen (and MSG_FASTOPEN sends), served by "
                 "the supervisor; ") +
             (plan.proxy ? "allowed TCP connected from the host's network, the rest refused"
                         : "every connection that would leave the sandbox refused") +
             "; unix sockets:" +
             (socks.empty() ? std::string(" none (only those the sandbox binds)") : socks));
    }
    if (plan.dns) {
        line(std::string("dns: stub on 127.0.0.1:53 (udp, tcp) in the sandbox's namespace, served by the "
                         "supervisor; ") +
             (plan.proxy ? "answers names an allow rule covers with the host's resolution, refuses the rest"
                         : "refuses every name"));
    }
    if (plan.broker) {
        for (const auto& u : plan.broker->unix_sockets)
            line("unix socket: " + u.path + " (and below), connected by the supervisor    # " + u.why);
    }
    if (plan.learning) {
        std::string hidden;
        for (const auto& h : plan.learning->hidden) hidden += " " + h;
        line(std::string("learning: every host directory the caller can read, read-only below a throwaway "
                         "overlay; path system calls recorded (seccomp user notification); hidden:") +
             hidden +
             (plan.learning->allow_everything ? "; network: every destination allowed and recorded"
                                              : "; network: the base profile's rules, recorded"));
    }
    line("mounts:");
    for (const auto& m : plan.mounts) {
        std::string s = "  " + std::string(to_string(m.kind)) + " " + m.target;
        if (m.kind == MountKind::BindRo || m.kind == MountKind::BindRw) {
            if (m.source != m.target) s += " <- " + m.source;
        } else if (m.kind == MountKind::Symlink) {
            s += " -> " + m.source;
        }
        if (m.size != 0)
            s += std::string(m.kind == MountKind::Dev ? " shm" : "") + " size=" + std::to_string(m.size);
        s += "    # " + m.why;
        line(s);
    }
    line("  (then: masks, /dev and the root tmpfs remounted read-only; pivot_root)");
    for (const auto& a : plan.must_stay_absent)
        line("protected, missing at launch: " + a.path + ": removed after the run if created" +
             (a.inside_git ? " (a repository the run creates is reported instead)" : "") + "    # " + a.why);
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
        std::string files;
        if (plan.cgroup->memory_max != 0) files += " memory.max = " + std::to_string(plan.cgroup->memory_max);
        if (plan.cgroup->pids_max != 0) files += " pids.max = " + std::to_string(plan.cgroup->pids_max);
        line("  cgroup v2 " + plan.cgroup->parent + "/" + plan.cgroup->leaf + ":" + files);
    }
    if (plan.pids_v1) {
        line("  cgroup v1 " + plan.pids_v1->parent + "/" + plan.pids_v1->leaf +
             ": pids.max = " + std::to_string(plan.pids_v1->pids_max));
    }
    if (plan.wall_time) {
        line("  wall_time = " + std::to_string(plan.wall_time->count()) + "ms (then SIGTERM, " +
             std::to_string(plan.kill_grace.count()) + "ms grace, SIGKILL)");
    }
    if (plan.parent_pid > 0) {
        line("lifetime: the whole sandbox is killed when mxc's parent (pid " +
             std::to_string(plan.parent_pid) + ") dies (--die-with-parent)");
    }
    line("env:");
    for (const auto& e : plan.env) line("  " + e);
    line("cwd: " + plan.cwd);
    if (!plan.cwd_note.empty()) line("note: " + plan.cwd_note);
    for (const auto& l : platform::outcome_lines(plan.verdicts)) line(l);
    return out;
}

}  // namespace mxc::lnx
