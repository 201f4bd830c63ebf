#include "platform/linux/apply/seccomp_filter.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstring>

#include "platform/linux/apply/seccomp_arch.hpp"

namespace mxc::lnx {
namespace {

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

}  // namespace

Result<BpfCode> compile_seccomp_bpf(const SeccompPlan& plan) {
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
    return export_bpf(ctx.get());
}

}  // namespace mxc::lnx
