#pragma once
// The connect broker's seccomp filter (issue 11; docs/design.md "Network").
// Loaded by sandbox init before it forks the command, so every process of the
// sandbox inherits it; the listener fd it returns goes to the supervisor and
// no sandbox process keeps a copy.
//
// Handed to the supervisor (SECCOMP_RET_USER_NOTIF), native ABI:
//   connect()                        every call: the broker decides and connects
//   listen()                         a socket the broker installed lives in the
//                                    host's namespace and must never listen there
//   sendto/sendmsg/sendmmsg with MSG_FASTOPEN
//                                    a call that opens a TCP connection itself
// The 32-bit ABIs cannot be brokered (socketcall() passes its arguments in
// memory, out of the filter's sight): their socket calls that can connect,
// listen or send fail with EPERM.
#include <span>
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"

namespace mxc::lnx {

// Learning (mxc learn, issue 13; docs/design.md "Learning sandbox"): the
// kernel allows one listener per filter chain, so the path-taking system
// calls of learned_syscalls() (learn_syscalls.hpp) are handed to the same
// listener, native ABI only. The supervisor records them and lets the kernel
// run them (SECCOMP_USER_NOTIF_FLAG_CONTINUE): recording is not the boundary
// there, the mounts are.
//
// The filter as libseccomp compiles it: `network`, the connect broker's
// calls (above); `learning`, the path calls. At build time for every
// variant (seccomp_precompiled.hpp), at run time only as a fallback.
Result<BpfCode> compile_broker_bpf(bool network, bool learning);

// What compile_broker_bpf's output depends on (the architecture and the two
// switches), as the key of the build-time table.
std::string broker_key(bool network, bool learning);

// Loads `code` (compile_broker_bpf's program) into the calling thread
// (sandbox init: it holds CAP_SYS_ADMIN in its user namespace, so
// no_new_privs is not needed). Returns the notification listener,
// close-on-exec.
Result<UniqueFd> install_broker_filter(std::span<const sock_filter> code);

}  // namespace mxc::lnx
