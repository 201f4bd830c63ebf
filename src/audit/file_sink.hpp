#pragma once
// The JSON-lines file sink: one object per line, written with a single
// write() on an O_APPEND fd so concurrent writers (threads, or several mxc
// processes sharing one file) never interleave inside a line.
#include <string>

#include "audit/sink.hpp"
#include "common/result.hpp"

namespace mxc::audit {

// Who named the file decides how much mxc checks before appending to it.
enum class FileOwner {
    // The caller's --audit: a file of the caller's ("-" = stderr).
    Caller,
    // A profile's or the managed policy's [audit].path. Not "-"; the caller
    // of mxc decides nothing about it. A managed file may also be root's
    // (an administrator's log that users may append to).
    Profile,
    Managed,
};

// Opens `path` for appending (created 0600). On POSIX no component may be a
// symbolic link and the file must be a regular file with one link
// (common/private_file.hpp). The error names the path and `what`.
Result<SinkPtr> open_file_sink(const std::string& path, FileOwner owner, const std::string& what);

}  // namespace mxc::audit
