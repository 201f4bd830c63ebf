#pragma once
// The addresses of this host's own network interfaces. A connection to any of
// them reaches services bound to 0.0.0.0 or :: exactly as loopback does, so
// the matcher treats them like loopback: only an explicit IP/CIDR rule reaches
// them, never a host name that resolves to one.
//
// The proxies observe them once per resolved request, right after the lookup,
// and pass the list down to the matcher, rather than once at launch: a VPN, a
// container bridge or a DHCP lease can add an address during a run, and a list
// taken at launch would let a name that resolves to it through.
#include <vector>

#include "common/result.hpp"
#include "net/ip_address.hpp"

namespace mxc::net {

// Every IPv4 and IPv6 address assigned to an interface of this host (network
// namespace), whether the interface is up or not. An error means the list is
// unknown: callers must then refuse, not treat it as empty.
Result<std::vector<IpAddr>> local_addresses();

}  // namespace mxc::net
