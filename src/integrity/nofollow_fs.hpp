#pragma once
// File operations for the unconfined supervisor on trees a sandboxed run could
// write: every name is looked up relative to a directory fd, one component at
// a time, and no symbolic link is ever followed. A link planted where a file
// was expected is an object to report and remove, never a path to go through.
// POSIX only (the Linux build); the Windows port will need its own.
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::integrity {

enum class Kind { Absent, File, Dir, Symlink, Other };

const char* to_string(Kind kind);

// What one name held, observed with AT_SYMLINK_NOFOLLOW.
struct Node {
    Kind kind = Kind::Absent;
    mode_t mode = 0;  // permission bits only
    uid_t uid = 0;
    gid_t gid = 0;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string bytes;  // File: its content (when asked for); Symlink: its target
};

// Same kind, permission bits and content (dev/ino and owner are not compared).
bool same_content(const Node& a, const Node& b);

// Observes `name` in `dirfd`. Regular files are read when `read_content`
// (through an O_NOFOLLOW open, fstat-checked against the lstat so a swap in
// between is seen); a file larger than `max_bytes` is an error (a run must
// not make the supervisor allocate without bound).
inline constexpr std::size_t kMaxFileBytes = 4U << 20;
Result<Node> observe(int dirfd, const std::string& name, bool read_content,
                     std::size_t max_bytes = kMaxFileBytes);

// Opens a directory below `dirfd` (O_DIRECTORY|O_NOFOLLOW); invalid if absent,
// not a directory or a symlink.
UniqueFd open_dir(int dirfd, const std::string& name);
// Opens an absolute path component by component from "/", following no link.
UniqueFd open_dir_path(const std::string& absolute);
// Walks a relative path ("a/b/c") below dirfd, following no link.
UniqueFd open_dir_rel(int dirfd, const std::string& relative);

// Names in a directory (no "." / ".."), sorted.
std::vector<std::string> list_dir(int dirfd);

// Removes `name` from `dirfd`: a file or link is unlinked, a directory is
// emptied depth-first through O_NOFOLLOW directory fds, then removed.
Status remove_tree(int dirfd, const std::string& name);

// Replaces `name` in `dirfd` by a regular file with these bytes, permission
// bits and owner (a temporary name, then rename(): whatever was at `name`,
// a link included, is replaced, never written through).
Status write_file(int dirfd, const std::string& name, const std::string& bytes, mode_t mode, uid_t uid,
                  gid_t gid);

// Recreates `expected` (File, Dir, Symlink) at `name`, removing what is there
// first when it has another kind.
Status restore_node(int dirfd, const std::string& name, const Node& expected);

// Moves `name` aside to a fresh "name.mxc-<tag>[-N]"; returns the new name.
Result<std::string> move_aside(int dirfd, const std::string& name, const std::string& tag);

}  // namespace mxc::integrity
