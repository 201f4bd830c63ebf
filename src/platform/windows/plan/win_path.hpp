#pragma once
// Windows path rules for ACL grants, as pure string functions. The applier
// passes every path to the W APIs in \\?\ form: no MAX_PATH limit, and no
// Win32 rewriting (trailing dots/spaces, device names) between what the plan
// shows and what gets an ACE. Whatever Win32 would have rewritten is rejected
// here instead, so the plan and the file system agree on what a path names.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mxc::platform::win {

struct WinPath {
    std::string extended;             // "\\?\C:\a\b" or "\\?\UNC\server\share\a"
    bool short_name_suspect = false;  // a component looks like an 8.3 alias ("PROGRA~1")
};

// Accepts "C:\a", "C:/a", "\\server\share\a", "\\?\C:\a", "\\?\UNC\s\sh\a".
// Rejects relative and drive-relative paths, device namespaces (\\.\),
// alternate data streams ("file:stream"), reserved device names (CON, NUL,
// COM1...), wildcard/invalid characters and components ending in '.' or ' '.
Result<WinPath> to_extended_path(std::string_view path);

// NTFS compares names case-insensitively; mxc folds ASCII only (names that
// differ in non-ASCII case are treated as different paths: see docs/windows.md).
std::string fold_case(std::string_view path);
bool path_equal(std::string_view a, std::string_view b);
// True when `inner` is `outer` or lies below it (component-wise, case-insensitive).
bool path_within(std::string_view inner, std::string_view outer);

}  // namespace mxc::platform::win
