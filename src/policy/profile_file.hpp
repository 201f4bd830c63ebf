#pragma once
// Reads a profile the user named on the command line or in `extends`: a
// regular file, or a pipe (`-p <(generate-profile)`, `-p /dev/stdin`, a
// named FIFO). Read once, so the bytes that are parsed are the bytes that
// are hashed into the audit log; capped, because a pipe has no size.
#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace mxc::policy {

// How long a pipe may stay silent (no writer yet, or no new bytes) before
// the read gives up: a FIFO nobody writes to must not hang mxc forever.
inline constexpr std::chrono::milliseconds kProfilePipeIdleTimeout{30000};

// The whole file, or an error naming the path: missing, a directory or
// other non-file, larger than max_bytes, or a pipe silent for idle_timeout.
Result<std::string> read_profile_file(const std::string& path, std::size_t max_bytes,
                                      std::chrono::milliseconds idle_timeout = kProfilePipeIdleTimeout);

}  // namespace mxc::policy
