// Loading precompiled filters, and the keys of the precompiled table: no
// libseccomp here, so mxc-init (init_helper.hpp) links without it.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/seccomp_arch.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"
#include "platform/linux/apply/seccomp_filter.hpp"

namespace mxc::lnx {

long load_bpf(std::span<const sock_filter> code, unsigned flags) {
    auto prog = as_sock_fprog(code);
    if (!prog) return -EINVAL;
    const long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &*prog);
    return rc < 0 ? -errno : rc;
}

Status apply_seccomp(std::span<const sock_filter> code) {
    // no_new_privs is the caller's step (docs/design.md order); check it, so a
    // reordering bug is loud.
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        return make_error("seccomp: no_new_privs is not set; it must be set before the filter is loaded");
    // Filter every thread of the caller: one left unfiltered could act for
    // the sandbox until execve.
    const long rc = load_bpf(code, SECCOMP_FILTER_FLAG_TSYNC);
    if (rc > 0) return make_error("seccomp: thread " + std::to_string(rc) + " could not be synchronised");
    if (rc < 0)
        return make_error(std::string("seccomp: loading the filter: ") +
                          std::strerror(static_cast<int>(-rc)));
    return {};
}

Result<UniqueFd> install_broker_filter(std::span<const sock_filter> code) {
    // The filter returns SECCOMP_RET_USER_NOTIF: the kernel hands back the
    // listener, close-on-exec.
    const long rc = load_bpf(code, SECCOMP_FILTER_FLAG_NEW_LISTENER);
    if (rc < 0)
        return make_error(std::string("connect broker: seccomp load (user notification): ") +
                          std::strerror(static_cast<int>(-rc)));
    UniqueFd listener(static_cast<int>(rc));
    // Never 0-2, which init's command inherits.
    if (listener.get() <= 2) {
        listener = UniqueFd(::fcntl(listener.get(), F_DUPFD_CLOEXEC, 3));
        if (!listener.valid())
            return make_error("connect broker: fcntl(F_DUPFD_CLOEXEC) of the listener failed");
    }
    return listener;
}

std::string broker_key(bool network, bool learning) {
    return std::string("broker/1 ") + kSeccompArch + (network ? " network" : "") +
           (learning ? " learning" : "");
}

std::string seccomp_key(const SeccompPlan& plan) {
    // Everything compile_seccomp_bpf passes to libseccomp, and nothing else
    // (group names and conditions are prose).
    std::string key = std::string("seccomp/1 ") + kSeccompArch;
    for (const auto& r : plan.denied) {
        key += ';' + r.syscall + '=' + std::to_string(r.errno_value);
        for (const auto& a : r.args)
            key +=
                ',' + std::to_string(a.index) + ':' + std::to_string(a.mask) + ':' + std::to_string(a.value);
    }
    return key;
}

}  // namespace mxc::lnx
