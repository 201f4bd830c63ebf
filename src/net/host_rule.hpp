#pragma once
// Egress host rules: exact host, "*.suffix" wildcard, IPv4/IPv6 literal or
// CIDR, each with a port set. Parsing normalises case, trailing dots, IDN
// (to punycode) and every IPv4 literal notation before anything is matched.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "net/ip_address.hpp"

namespace mxc::net {

// An IP network in 16-byte form; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d)
// so one comparison path serves both families.
struct IpNet {
    std::array<std::uint8_t, 16> addr{};
    int prefix = 128;  // over the 128-bit form (IPv4 /n is stored as 96+n)
    bool is_v4 = false;
};

struct PortSet {
    bool any = false;                  // ":*"
    std::vector<std::uint16_t> ports;  // when !any; default {80, 443}
    [[nodiscard]] bool contains(std::uint16_t port) const;
};

struct HostRule {
    enum class Kind { Exact, Wildcard, Cidr };
    Kind kind = Kind::Exact;
    std::string host;  // Exact: normalised name; Wildcard: the suffix without "*."
    IpNet net;         // Cidr (an IP literal is a /32 or /128)
    PortSet ports;
    std::string text;  // as written, for messages and audit "rule"
};

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
