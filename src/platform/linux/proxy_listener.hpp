#pragma once
// Allowlist networking, the fd handoff: the proxy's listening socket must live
// in the sandbox's network namespace (the only place the command can reach),
// yet be served from the host namespace (the only place with a route out). So
// sandbox init creates it after bringing up loopback and passes it to the
// supervisor over a socketpair with SCM_RIGHTS; init keeps no copy.
#include <cstdint>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

// Both ends CLOEXEC: the command must never inherit the channel.
struct ProxyChannel {
    UniqueFd supervisor_end;
    UniqueFd sandbox_end;
};
Result<ProxyChannel> make_proxy_channel();

// In sandbox init, inside the new network namespace with loopback up: listen
// on 127.0.0.1:`port` and send the socket over `channel`. Init's own copy is
// closed before returning.
Status send_proxy_listener(int channel, std::uint16_t port);

// In the supervisor: the listening socket sent by init (CLOEXEC). EOF means
// init failed before sending (its setup error arrives on the report pipe).
Result<UniqueFd> receive_proxy_listener(int channel);

}  // namespace mxc::lnx
