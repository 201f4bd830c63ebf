#pragma once
// The parsed form of an egress host rule, as plain data: the resolved policy
// (policy/model.hpp) keeps it next to the rule's text, so this header stays
// free of the parser's and the matcher's includes. net/host_rule.hpp parses.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace mxc::net
