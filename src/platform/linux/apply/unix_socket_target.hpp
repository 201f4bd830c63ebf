#pragma once
// The supervisor's side of a brokered connect() to a pathname unix socket
// (issue 11, item 4; docs/design.md, network). The sandboxed thread only hands
// over bytes; the supervisor resolves them exactly as that thread would see
// them (its cwd, inside its root), yet never follows a link the sandbox could
// have planted out of that root, decides on the inode it found, and connects
// that inode, not the path again.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// At most this many symlinks per resolution, as the kernel (MAXSYMLINKS).
inline constexpr int kMaxSocketPathLinks = 40;

// What a sun_path resolved to. `error` == 0: `opath` is an O_PATH fd of a
// socket inode and `path` its canonical path in the sandbox's view. Otherwise
// `error` is the errno connect() would give the sandbox (ENOENT, ENOTDIR,
// ELOOP, ENAMETOOLONG, EINVAL, EACCES, ECONNREFUSED for "not a socket") and
// `detail` says why, for the audit log.
struct UnixSocketTarget {
    int error = 0;
    std::string detail;
    UniqueFd opath;
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
};

// Resolves `sun_path` (the supervisor's own copy of the bytes after
// sun_family: any length, maybe not NUL-terminated; like the kernel, the
// name ends at the first NUL) for thread `tid`: relative to /proc/TID/cwd,
// inside /proc/TID/root.
UnixSocketTarget resolve_unix_socket(pid_t tid, std::string_view sun_path);

// The same with the root and working directory given as trusted directory
// fds (O_PATH is enough); `cwd_fd` < 0 refuses relative paths. `cwd_fd` must
// lie below `root_fd`.
UnixSocketTarget resolve_unix_socket_at(int root_fd, int cwd_fd, std::string_view sun_path);

// True when `canonical` is a rule path or lies below one, by whole components.
bool unix_socket_allowed(std::string_view canonical, const std::vector<UnixSocketRule>& rules);

// The rule that allows `canonical`, or nullptr (for the audit's "why").
const UnixSocketRule* unix_socket_rule_for(std::string_view canonical,
                                           const std::vector<UnixSocketRule>& rules);

// Whether the socket inode (st_dev, st_ino as from fstat) is bound by a
// socket of the network namespace `sock_diag_fd` belongs to (a
// NETLINK_SOCK_DIAG socket created in the sandbox's namespace): the
// sandbox's own servers stay connectable without a rule.
Result<bool> bound_in_sandbox_netns(int sock_diag_fd, dev_t dev, ino_t ino);

// The whole decision for one pathname connect(): resolve, then allow when a
// rule covers the resolved path or the socket was bound inside the sandbox
// (`sock_diag_fd` as for bound_in_sandbox_netns; < 0 skips that test).
// `allowed` false with `target.error` set: answer the sandbox with that
// errno (ECONNREFUSED when refused by policy). `why` is for the audit event:
// the rule's text and origin, "bound inside the sandbox", or the refusal.
struct UnixConnectDecision {
    bool allowed = false;
    std::string why;
    UnixSocketTarget target;  // opath valid when allowed
};
UnixConnectDecision decide_unix_connect(UnixSocketTarget target, const std::vector<UnixSocketRule>& rules,
                                        int sock_diag_fd);

// connect(sock, ...) to the very inode `opath_fd` refers to, through
// "/proc/self/fd/N": a path swapped after the check changes nothing.
// EINPROGRESS (non-blocking `sock`) is success; on failure errno is still
// connect()'s, for the broker's answer to the sandbox.
Status connect_unix_via_opath(int sock, int opath_fd);

}  // namespace mxc::lnx
