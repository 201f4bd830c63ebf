#pragma once
// The default seccomp filter (plan/seccomp_plan.hpp) as BPF: compiled with
// libseccomp (at build time for the built-in profiles,
// seccomp_precompiled.hpp) and loaded as the last step in the child before
// execve, after PR_SET_NO_NEW_PRIVS.
#include <span>
#include <string>

#include "common/result.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"
#include "platform/linux/plan/seccomp_plan.hpp"

namespace mxc::lnx {

// The plan as libseccomp compiles it for this machine's architecture (and
// the 32-bit x86/x32 ABIs on x86_64): the BPF program apply_seccomp loads.
Result<BpfCode> compile_seccomp_bpf(const SeccompPlan& plan);

// Everything compile_seccomp_bpf's output depends on, as one string: the
// architecture and each denied rule's syscall, argument tests and errno, in
// order. Equal keys compile to equal programs; the build-time table is
// looked up by it.
std::string seccomp_key(const SeccompPlan& plan);

// Loads `code` (compile_seccomp_bpf's program) into the calling thread and
// all its threads (TSYNC), and so their future children. Requires
// no_new_privs already set. Returns an error naming what failed.
Status apply_seccomp(std::span<const sock_filter> code);

}  // namespace mxc::lnx
