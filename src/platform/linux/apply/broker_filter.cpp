#include "platform/linux/apply/broker_filter.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/socket.h>

#include <cstring>
#include <initializer_list>
#include <string>

#include "platform/linux/apply/seccomp_arch.hpp"
#include "platform/linux/plan/learn_syscalls.hpp"

namespace mxc::lnx {
namespace {

class FilterCtx {
public:
    FilterCtx() : ctx_(seccomp_init(SCMP_ACT_ALLOW)) {}
    ~FilterCtx() {
        if (ctx_ != nullptr) seccomp_release(ctx_);
    }
    FilterCtx(const FilterCtx&) = delete;
    FilterCtx& operator=(const FilterCtx&) = delete;
    [[nodiscard]] scmp_filter_ctx get() const { return ctx_; }
    scmp_filter_ctx release() {
        scmp_filter_ctx c = ctx_;
        ctx_ = nullptr;
        return c;
    }

private:
    scmp_filter_ctx ctx_;
};

Error filter_error(const std::string& what, int rc) {
    return make_error("connect broker: seccomp " + what + ": " + std::strerror(-rc));
}

// connect() and listen() always, sends with MSG_FASTOPEN; the 32-bit ABIs'
// socket calls fail.
Status add_network_rules(scmp_filter_ctx native) {
    const int notify_all[] = {SCMP_SYS(connect), SCMP_SYS(listen)};
    for (int nr : notify_all) {
        if (int rc = seccomp_rule_add(native, SCMP_ACT_NOTIFY, nr, 0); rc != 0)
            return filter_error("rule", rc);
    }
    // The flags argument: sendto(fd, buf, len, flags, ...) and
    // sendmmsg(fd, vec, n, flags) have it third, sendmsg(fd, msg, flags) second.
    const struct {
        int nr;
        unsigned arg;
    } fastopen[] = {{SCMP_SYS(sendto), 3}, {SCMP_SYS(sendmmsg), 3}, {SCMP_SYS(sendmsg), 2}};
    for (const auto& f : fastopen) {
        const scmp_arg_cmp cmp = SCMP_CMP64(f.arg, SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN);
        if (int rc = seccomp_rule_add_array(native, SCMP_ACT_NOTIFY, f.nr, 1, &cmp); rc != 0)
            return filter_error("rule", rc);
    }

    if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
        FilterCtx compat;
        if (compat.get() == nullptr)
            return make_error("connect broker: seccomp_init failed (out of memory?)");
        if (int rc = seccomp_attr_set(compat.get(), SCMP_FLTATR_CTL_NNP, 0); rc != 0)
            return filter_error("attribute no_new_privs", rc);
        if (int rc = seccomp_attr_set(compat.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc != 0)
            return filter_error("bad-architecture action", rc);
        if (int rc = seccomp_arch_remove(compat.get(), SCMP_ARCH_NATIVE); rc != 0)
            return filter_error("architectures", rc);
        for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
            if (int rc = seccomp_arch_add(compat.get(), arch); rc != 0 && rc != -EEXIST)
                return filter_error("architectures", rc);
        }
        for (const char* name : {"connect", "listen", "sendto", "sendmsg", "sendmmsg", "socketcall"}) {
            const int nr = seccomp_syscall_resolve_name(name);
            if (nr == __NR_SCMP_ERROR) continue;
            if (int rc = seccomp_rule_add(compat.get(), SCMP_ACT_ERRNO(EPERM), nr, 0); rc != 0)
                return filter_error(std::string("32-bit rule ") + name, rc);
        }
        // On success the merged context owns compat's rules and frees it.
        if (int rc = seccomp_merge(native, compat.get()); rc != 0) return filter_error("merge", rc);
        compat.release();
    }

    return {};
}

}  // namespace

Result<BpfCode> compile_broker_bpf(bool network, bool learning) {
    FilterCtx native;
    if (native.get() == nullptr) return make_error("connect broker: seccomp_init failed (out of memory?)");
    // Not a load flag here (load_bpf loads the bytes), but seccomp_merge
    // wants the compat context's attributes to match.
    if (int rc = seccomp_attr_set(native.get(), SCMP_FLTATR_CTL_NNP, 0); rc != 0)
        return filter_error("attribute no_new_privs", rc);
    if (int rc = seccomp_attr_set(native.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc != 0)
        return filter_error("bad-architecture action", rc);
    if (learning) {
        for (int nr : learned_syscalls()) {
            if (int rc = seccomp_rule_add(native.get(), SCMP_ACT_NOTIFY, nr, 0); rc != 0)
                return filter_error("learning rule", rc);
        }
    }
    if (network) MXC_TRY(add_network_rules(native.get()));
    return export_bpf(native.get());
}

}  // namespace mxc::lnx
