#pragma once
// The fd handoff for a sandbox with its own network namespace: the sockets
// the supervisor serves (the egress proxy's listener, the DNS stub's UDP
// socket and TCP listener) must live in the sandbox's network namespace (the
// only place the command can reach), yet be served from the host namespace
// (the only place with a route out). So sandbox init creates them after
// bringing up loopback and passes them to the supervisor in one message over
// a socketpair with SCM_RIGHTS; init keeps no copy. The ports are taken
// before the command exists, so it cannot bind them and impersonate the
// supervisor (docs/design.md, network).
#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

// Port 53: resolv.conf cannot name another. Init may bind it (it holds
// CAP_NET_BIND_SERVICE in its own user namespace); the command, without
// capabilities, could not bind it anyway.
inline constexpr std::uint16_t kDnsPort = 53;

// What crosses the channel. A slot that is not valid is not sent.
struct SandboxSockets {
    UniqueFd proxy_listener;  // allowlist: TCP listener on 127.0.0.1:<proxy port>
    UniqueFd dns_udp;         // UDP socket bound to 127.0.0.1:53
    UniqueFd dns_tcp;         // TCP listener on 127.0.0.1:53
    UniqueFd connect_notify;  // the connect broker's seccomp listener (filled by the broker)
    // NETLINK_SOCK_DIAG in the sandbox's namespace: which unix sockets the
    // sandbox bound itself (unix_socket_target.hpp).
    UniqueFd unix_diag;
};

// Both ends CLOEXEC: the command must never inherit the channel.
struct SocketChannel {
    UniqueFd supervisor_end;
    UniqueFd sandbox_end;
};
Result<SocketChannel> make_socket_channel();

// In sandbox init, inside the new network namespace with loopback up: the
// proxy listener on 127.0.0.1:`proxy_port` (when given) and the DNS stub's
// two sockets on 127.0.0.1:53.
Result<SandboxSockets> open_sandbox_sockets(std::optional<std::uint16_t> proxy_port);

// Sends every valid slot in one message and closes init's copies.
Status send_sandbox_sockets(int channel, SandboxSockets sockets);

// In the supervisor: the sockets sent by init (CLOEXEC). EOF means init
// failed before sending (its setup error arrives on the report pipe).
Result<SandboxSockets> receive_sandbox_sockets(int channel);

}  // namespace mxc::lnx
