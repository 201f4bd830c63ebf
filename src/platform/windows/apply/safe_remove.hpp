#pragma once
// Deleting a tree the sandbox could write to, without ever following a link
// it planted there. std::filesystem::remove_all is not safe for this on
// Windows: libstdc++ implements lstat as stat, so it descends into junctions
// and symlinks and deletes their targets' contents with the user's rights.
//
// The walk opens every entry relative to its parent's handle with
// FILE_OPEN_REPARSE_POINT, decides from the opened handle (not from the
// name, which could be swapped), descends only into real directories, and
// deletes a reparse point (symlink, junction, mount point) as the link
// itself. Nothing outside the tree is opened after the root.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"

namespace mxc::platform::win {

struct RemoveReport {
    int removed = 0;                  // files, directories and links deleted
    std::vector<std::string> links;   // reparse points removed as links (paths)
    std::vector<std::string> errors;  // entries that could not be deleted
};

// Removes `path` (a directory or a file) and everything below it. A missing
// `path` is not an error. When `path` itself is a reparse point only the link
// is removed.
RemoveReport remove_tree_no_follow(const std::wstring& path);

// What the walk sees of one entry, for visitors (reset_leftover_security).
struct WalkEntry {
    HANDLE handle = nullptr;  // opened with FILE_OPEN_REPARSE_POINT (+ extra access when allowed); null when
                              // visited from the directory listing alone (see open_entry)
    std::wstring path;        // for messages and for the named-security APIs
    DWORD attributes = 0;
    bool reparse_point = false;
    LARGE_INTEGER creation_time{};
    std::uint64_t file_id = 0;  // file index (listing FileId): what a rename keeps and a new file lacks
};

// Visits `root` and every entry below it, never through a reparse point
// (reparse points are visited, not entered). `extra_access` is added to the
// access each entry is opened with. Directories are always opened (to list
// them); other entries only when `open_entry(file id)` is true or absent,
// else they are visited from the listing with a null handle: one open per
// directory instead of per file. Returns the errors met on the way.
std::vector<std::string> walk_no_follow(const std::wstring& root, DWORD extra_access,
                                        const std::function<void(const WalkEntry&)>& visit,
                                        const std::function<bool(std::uint64_t)>& open_entry = {});

}  // namespace mxc::platform::win
