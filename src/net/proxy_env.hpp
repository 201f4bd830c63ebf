#pragma once
// Environment that points a sandboxed command at the egress proxy.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mxc::net {

// HTTP_PROXY, HTTPS_PROXY (http://127.0.0.1:PORT), ALL_PROXY
// (socks5h://..., the "h" so that clients send names and mxc resolves them)
// and NO_PROXY, each also in lowercase because tools disagree on which case
// they read. The default NO_PROXY keeps loopback direct: on Linux the sandbox
// has its own loopback (its local servers are not on the host). Pass "" to
// send loopback through the proxy too, e.g. for explicit "[::1]:8080" rules
// that mean the host's loopback.
inline constexpr const char* kLoopbackNoProxy = "localhost,127.0.0.1,::1";
std::vector<std::pair<std::string, std::string>> proxy_env(std::uint16_t port,
                                                           const std::string& no_proxy = kLoopbackNoProxy);

}  // namespace mxc::net
