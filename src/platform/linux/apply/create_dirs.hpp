#pragma once
// Creating the missing directories of write rules before a launch (issue 12,
// item 3): a fresh account has no ~/.npm or ~/.codex, and a write rule on a
// path that does not exist is not mounted, so the tool fails on a read-only
// parent. Only the applier calls this; --dry-run and explain never change the
// host.
#include <string>

#include "common/result.hpp"

namespace mxc::lnx {

// Creates `path` and its missing parents, mode 0700, as the caller, below
// `base` (the caller's home or the workspace: trusted as the user named it).
// Every component below `base` is opened with O_PATH|O_DIRECTORY|O_NOFOLLOW
// from its parent's fd and created with mkdirat: a symlink (or anything not a
// directory) on the way is refused, so nothing is ever created through a link
// a sandboxed run could have planted.
Status create_dir_beneath(const std::string& base, const std::string& path);

}  // namespace mxc::lnx
