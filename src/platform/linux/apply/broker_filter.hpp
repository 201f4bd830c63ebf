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
#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

// Learning (mxc learn, issue 13; docs/design.md "Learning sandbox"): the
// kernel allows one listener per filter chain, so the path-taking system
// calls of learned_syscalls() (learn_syscalls.hpp) are handed to the same
// listener, native ABI only. The supervisor records them and lets the kernel
// run them (SECCOMP_USER_NOTIF_FLAG_CONTINUE): recording is not the boundary
// there, the mounts are.
//
// Loads the filter into the calling thread (sandbox init: it holds
// CAP_SYS_ADMIN in its user namespace, so no_new_privs is not needed).
// `network`: the connect broker's calls (above); `learning`: the path calls.
// Returns the notification listener, close-on-exec.
Result<UniqueFd> install_broker_filter(bool network = true, bool learning = false);

}  // namespace mxc::lnx
