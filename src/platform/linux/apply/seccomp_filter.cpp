#include "platform/linux/apply/seccomp_filter.hpp"

#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

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

// Owns a libseccomp filter context.
class ScopedSeccompFilterCtx {
public:
    explicit ScopedSeccompFilterCtx(std::uint32_t default_action) : ctx_(seccomp_init(default_action)) {}
    ~ScopedSeccompFilterCtx() {
        if (ctx_ != nullptr) seccomp_release(ctx_);
    }
    ScopedSeccompFilterCtx(const ScopedSeccompFilterCtx&) = delete;
    ScopedSeccompFilterCtx& operator=(const ScopedSeccompFilterCtx&) = delete;
    [[nodiscard]] scmp_filter_ctx get() const { return ctx_; }

private:
    scmp_filter_ctx ctx_;
};

Error seccomp_error(const std::string& what, int rc) {
    return make_error("seccomp: " + what + ": " + std::strerror(-rc));
}

std::string rule_text(const SeccompRule& r) {
    std::string s = r.syscall;
    if (!r.condition.empty()) s += " [" + r.condition + "]";
    return s;
}

}  // namespace

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

Status apply_seccomp(const SeccompPlan& plan) {
    ScopedSeccompFilterCtx ctx(SCMP_ACT_ALLOW);
    if (ctx.get() == nullptr) return make_error("seccomp: seccomp_init failed (out of memory?)");

    // A 64-bit process can still enter the kernel through the 32-bit ABI
    // (int 0x80: different syscall numbers, AUDIT_ARCH_I386) and, where the
    // kernel has it, x32 (__X32_SYSCALL_BIT). Each is its own table the filter
    // must cover, or `ptrace` is just one `int 0x80` away. libseccomp
    // translates every rule into each architecture's numbers.
    for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
        if (seccomp_arch_native() != SCMP_ARCH_X86_64) break;
        int rc = seccomp_arch_add(ctx.get(), arch);
        if (rc != 0 && rc != -EEXIST) return seccomp_error("adding the 32-bit x86/x32 architectures", rc);
    }
    // A system call from an architecture the filter does not know is an
    // attempt to slip past it: end the whole process, not just the thread.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc != 0)
        return seccomp_error("setting the bad-architecture action", rc);
    // Filter every thread of the caller: one left unfiltered could act for
    // the sandbox until execve.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1); rc != 0)
        return seccomp_error("enabling thread sync", rc);

    for (const auto& r : plan.denied) {
        int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
        if (nr == __NR_SCMP_ERROR) return make_error("seccomp: unknown syscall \"" + r.syscall + "\"");
        std::vector<scmp_arg_cmp> cmps;
        for (const auto& a : r.args) cmps.push_back(SCMP_CMP64(a.index, SCMP_CMP_MASKED_EQ, a.mask, a.value));
        // Not _exact: libseccomp maps the rule per architecture, e.g. "umount"
        // only exists on x86 and socket() also becomes socketcall(SYS_SOCKET).
        int rc = seccomp_rule_add_array(ctx.get(), SCMP_ACT_ERRNO(static_cast<std::uint32_t>(r.errno_value)),
                                        nr, static_cast<unsigned>(cmps.size()), cmps.data());
        if (rc != 0) return seccomp_error("adding rule " + rule_text(r), rc);
    }

    // no_new_privs is the caller's step (docs/design.md order); check it rather
    // than let libseccomp set it silently, so a reordering bug is loud.
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        return make_error("seccomp: no_new_privs is not set; it must be set before the filter is loaded");
    if (int rc = seccomp_load(ctx.get()); rc != 0) return seccomp_error("loading the filter", rc);
    return {};
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
