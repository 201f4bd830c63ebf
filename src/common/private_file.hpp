#pragma once
// Opening a file that mxc itself writes (the audit log) without trusting the
// path. mxc runs unconfined, while the file may sit where an earlier
// sandboxed run could write: a symlink or hard link planted there would
// otherwise turn mxc's append into a write to any file of the user (a shell
// rc file, for one). POSIX only; Windows keeps its own open.
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc {

// Opens `path` for appending, creating it with mode 0600 when missing. Refuses
// (with a message naming the path, the reason and what to do) when any
// component of the path is a symbolic link, or when the existing file is not a
// regular file, is not owned by the caller, or has more than one hard link.
// `what` names the file in messages ("audit log").
//
// CallerOrRoot also accepts a file owned by root: an administrator's log
// that users may append to (the managed policy's [audit] file sink).
enum class AppendOwner { Caller, CallerOrRoot };
Result<UniqueFd> open_private_append(const std::string& path, const std::string& what,
                                     AppendOwner owner = AppendOwner::Caller);

}  // namespace mxc
