#pragma once
// Egress host rules: exact host, "*.suffix" wildcard, IPv4/IPv6 literal or
// CIDR, each with a port set. Parsing normalises case, trailing dots, IDN
// (to punycode) and every IPv4 literal notation before anything is matched.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "net/host_rule_types.hpp"
#include "net/ip_address.hpp"

namespace mxc::net {

// Parse one rule as written in [network].allow/deny or --allow-net.
// Error messages say what is wrong and show an accepted form.
Result<HostRule> parse_host_rule(std::string_view text);

// True when `addr` lies inside `net` (both in the 16-byte form).
bool net_contains(const IpNet& net, const IpAddr& addr);

// A host a client asked for, normalised exactly like rules are, so matching
// is plain string / prefix comparison afterwards.
struct Target {
    bool is_ip = false;
    IpAddr ip;         // when is_ip
    std::string name;  // lowercase punycode, no trailing dot; when !is_ip
    // Canonical text for logs and messages ("example.com", "127.0.0.1", "::1").
    [[nodiscard]] std::string text() const;
};

// Accepts a name (UTF-8 or ASCII, any case, trailing dot), an IPv4 literal in
// any notation, or an IPv6 literal with or without brackets. No port.
Result<Target> normalize_host(std::string_view host);

}  // namespace mxc::net
