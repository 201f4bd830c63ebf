#pragma once
// File descriptors over a unix socket (SCM_RIGHTS), sandbox init to
// supervisor. Received fds are close-on-exec from the moment they exist.
#include <cstddef>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

// Sends all of `fds` in one message. `what` names them in errors.
Status send_fds(int channel, const std::vector<int>& fds, const char* what);
// Receives one message of exactly `count` fds. EOF (the sender died or closed
// without sending) is an error naming `what`.
Result<std::vector<UniqueFd>> receive_fds(int channel, std::size_t count, const char* what);

}  // namespace mxc::lnx
