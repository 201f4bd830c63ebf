#include "platform/linux/plan/seccomp_plan.hpp"

#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>

namespace mxc::lnx {
namespace {

// The kernel's SOCK_TYPE_MASK (include/linux/net.h, not exported to
// userspace): socket()'s type argument also carries SOCK_NONBLOCK and
// SOCK_CLOEXEC, so "type == SOCK_RAW" would miss SOCK_RAW|SOCK_CLOEXEC.
constexpr std::uint64_t kSockTypeMask = 0xf;
// `int` arguments: the kernel only looks at the low 32 bits.
constexpr std::uint64_t kIntMask = 0xffffffffULL;

SeccompRule rule(std::string group, std::string syscall, std::string condition = {},
                 std::vector<SeccompArg> args = {}, int errno_value = EPERM) {
    return SeccompRule{std::move(group), std::move(syscall), std::move(condition), std::move(args),
                       errno_value};
}

SeccompRule socket_rule(std::string group, std::uint64_t domain, const std::string& domain_name) {
    return rule(std::move(group), "socket", "domain == " + domain_name, {{0, kIntMask, domain}});
}

SeccompRule raw_socket_rule(std::uint64_t domain, const std::string& domain_name) {
    return rule("raw_sockets", "socket",
                "domain == " + domain_name + " && (type & SOCK_TYPE_MASK) == SOCK_RAW",
                {{0, kIntMask, domain}, {1, kSockTypeMask, SOCK_RAW}});
}

// The full default filter, in the order `describe` prints it. Groups named in
// policy::kSeccompGroups can be allowed back by a profile; "always" cannot.
std::vector<SeccompRule> default_rules() {
    std::vector<SeccompRule> r;
    // Terminal injection: TIOCSTI pushes bytes into the input queue of the
    // tty the sandbox inherited, i.e. types commands into the user's shell
    // after mxc exits. TIOCLINUX can do the same on a VT (selection paste).
    // ioctl's request is an `unsigned int` in the kernel, so only the low 32
    // bits are compared: 0xffffffff00005412 is still TIOCSTI to the kernel.
    r.push_back(rule("always", "ioctl", "request == TIOCSTI", {{1, kIntMask, TIOCSTI}}));
    r.push_back(rule("always", "ioctl", "request == TIOCLINUX", {{1, kIntMask, TIOCLINUX}}));
    // Replacing the running kernel or loading code into it: never a tool's job.
    for (const char* s : {"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"})
        r.push_back(rule("always", s));

    r.push_back(rule("ptrace", "ptrace"));
    r.push_back(rule("process_vm", "process_vm_readv"));
    r.push_back(rule("process_vm", "process_vm_writev"));
    // io_uring performs I/O in kernel workers that seccomp never sees, so it
    // is a way around this very filter (and a rich source of kernel bugs).
    for (const char* s : {"io_uring_setup", "io_uring_enter", "io_uring_register"})
        r.push_back(rule("io_uring", s));
    r.push_back(rule("bpf", "bpf"));
    for (const char* s : {"keyctl", "add_key", "request_key"}) r.push_back(rule("keyring", s));
    r.push_back(rule("perf_event", "perf_event_open"));
    r.push_back(rule("userfaultfd", "userfaultfd"));
    // The sandbox is root in its own user namespace, so without these it could
    // unmount the deny overlays or remount read-only binds read-write.
    // "umount" is the legacy 32-bit x86 syscall (oldumount).
    for (const char* s : {"mount", "umount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen",
                          "fsconfig", "fsmount", "fspick", "mount_setattr"})
        r.push_back(rule("mount", s));
    // A nested user namespace hands out a fresh full capability set and so
    // reopens everything the outer namespace took away.
    r.push_back(rule("userns", "unshare", "flags & CLONE_NEWUSER", {{0, CLONE_NEWUSER, CLONE_NEWUSER}}));
    r.push_back(rule("userns", "clone", "flags & CLONE_NEWUSER", {{0, CLONE_NEWUSER, CLONE_NEWUSER}}));
    // clone3 passes its flags inside a struct in memory, which seccomp cannot
    // read, so CLONE_NEWUSER there cannot be filtered. ENOSYS (not EPERM)
    // makes glibc and other runtimes fall back to clone(), which the rule
    // above does filter; EPERM would just make thread creation fail.
    r.push_back(rule("userns", "clone3", "any: flags are in memory, unreadable to seccomp", {}, ENOSYS));
    // On 32-bit x86, socket() can also arrive as socketcall(SYS_SOCKET, args)
    // with the arguments behind a pointer seccomp cannot follow; libseccomp
    // then denies socketcall(SYS_SOCKET) outright. That fails closed: 32-bit
    // programs that use socketcall get no sockets at all in the sandbox.
    r.push_back(socket_rule("netlink", AF_NETLINK, "AF_NETLINK"));
    r.push_back(socket_rule("vsock", AF_VSOCK, "AF_VSOCK"));
    r.push_back(socket_rule("packet", AF_PACKET, "AF_PACKET"));
    r.push_back(raw_socket_rule(AF_INET, "AF_INET"));
    r.push_back(raw_socket_rule(AF_INET6, "AF_INET6"));
    return r;
}

}  // namespace

std::string rule_text(const SeccompRule& r) {
    std::string s = r.syscall;
    if (!r.condition.empty()) s += " [" + r.condition + "]";
    return s;
}

SeccompPlan compile_seccomp(const policy::ResolvedPolicy& policy) {
    SeccompPlan plan;
    for (const auto& group : policy::kSeccompGroups) {
        bool allowed = std::any_of(policy.seccomp.allow.begin(), policy.seccomp.allow.end(),
                                   [&](const auto& a) { return a.value == group; });
        if (allowed) plan.allowed_back.emplace_back(group);
    }
    for (auto& r : default_rules()) {
        if (std::find(plan.allowed_back.begin(), plan.allowed_back.end(), r.group) == plan.allowed_back.end())
            plan.denied.push_back(std::move(r));
    }
    return plan;
}

std::vector<std::string> describe(const SeccompPlan& plan) {
    std::vector<std::string> lines;
    for (const auto& r : plan.denied) {
        std::string line =
            "seccomp deny " + rule_text(r) + " -> " + (r.errno_value == ENOSYS ? "ENOSYS" : "EPERM");
        line += r.group == "always" ? " (always)" : " (group " + r.group + ")";
        lines.push_back(std::move(line));
    }
    for (const auto& g : plan.allowed_back)
        lines.push_back("seccomp allow group " + g + " (profile [seccomp].allow)");
    return lines;
}

}  // namespace mxc::lnx
