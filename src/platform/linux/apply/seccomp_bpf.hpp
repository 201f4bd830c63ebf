#pragma once
// A seccomp filter as the kernel takes it: classic BPF instructions. Both of
// mxc's filters (the default one, seccomp_filter.hpp, and the connect
// broker's, broker_filter.hpp) are built with libseccomp, exported to BPF
// and loaded from those bytes, so a filter compiled at build time
// (seccomp_precompiled.hpp) and one compiled at run time load the same way.
#include <linux/filter.h>

#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "common/result.hpp"

namespace mxc::lnx {

using BpfCode = std::vector<sock_filter>;

// libseccomp's scmp_filter_ctx (an opaque pointer), so that <seccomp.h>
// stays out of the headers that include this one.
using ScmpFilterCtx = void*;

// The program libseccomp generates for `ctx` (seccomp_export_bpf, through a
// memfd: libseccomp 2.5 has no in-memory export).
Result<BpfCode> export_bpf(ScmpFilterCtx ctx);

// `code` as seccomp(2) takes it; none when it is empty or longer than the
// kernel's 16-bit length. The kernel copies the program and never writes
// through the pointer.
inline std::optional<sock_fprog> as_sock_fprog(std::span<const sock_filter> code) {
    if (code.empty() || code.size() > std::numeric_limits<unsigned short>::max()) return std::nullopt;
    return sock_fprog{static_cast<unsigned short>(code.size()), const_cast<sock_filter*>(code.data())};
}

// seccomp(SECCOMP_SET_MODE_FILTER, flags, code) on the calling thread.
// Returns what the kernel returned (the listener fd with
// SECCOMP_FILTER_FLAG_NEW_LISTENER, the id of a thread that could not be
// synchronised with SECCOMP_FILTER_FLAG_TSYNC, else 0), or -errno.
long load_bpf(std::span<const sock_filter> code, unsigned flags);

}  // namespace mxc::lnx
