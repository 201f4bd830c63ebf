#pragma once
// One message with descriptors attached (SCM_RIGHTS) over a unix socket: the
// sandbox's sockets from init to the supervisor (sandbox_sockets.hpp) and the
// v1 pids leaf's descriptors with an early init's orders (early_init.hpp).
#include <sys/types.h>

#include <cstddef>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

// At most this many descriptors per message.
inline constexpr std::size_t kMaxPassedFds = 8;

// Sends `data` as one message (MSG_NOSIGNAL) with `fds` attached; an error
// unless all of it was sent. `what` names the message in the error.
Status send_with_fds(int sock, std::span<const std::byte> data, std::span<const int> fds, const char* what);

struct ReceivedMessage {
    ssize_t bytes = 0;          // recvmsg's count; 0: the peer closed the socket
    std::vector<UniqueFd> fds;  // close-on-exec from the moment they exist, in order
    bool truncated = false;     // data or descriptors did not fit
};

// Receives into `data` (recvmsg with `flags` and MSG_CMSG_CLOEXEC), taking
// ownership of whatever descriptors arrived, even on a short or truncated
// message, so nothing leaks.
Result<ReceivedMessage> receive_with_fds(int sock, std::span<std::byte> data, int flags, const char* what);

}  // namespace mxc::lnx
