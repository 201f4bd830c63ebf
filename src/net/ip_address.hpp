#pragma once
// IP literal parsing and formatting, independent of the OS socket headers so
// the same code runs in the Windows build. IPv4 accepts every notation that
// inet_aton() / browsers accept (decimal 2130706433, octal 0177.0.0.1, hex
// 0x7f.1, short forms 127.1): a rule or request written in any of them must
// match the same address, or "0x7f.1" would slip past a loopback check.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mxc::net {

// 16-byte form; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so that
// "[::ffff:127.0.0.1]" and "127.0.0.1" are the same address everywhere.
struct IpAddr {
    std::array<std::uint8_t, 16> bytes{};

    [[nodiscard]] bool is_v4() const;        // IPv4-mapped
    [[nodiscard]] std::uint32_t v4() const;  // host order; only when is_v4()
    static IpAddr from_v4(std::uint32_t host_order);
    friend bool operator==(const IpAddr&, const IpAddr&) = default;
};

// Any IPv4 notation inet_aton() accepts, with an optional single trailing dot.
std::optional<std::uint32_t> parse_ipv4_any(std::string_view text);
// Strict dotted-quad decimal (used inside IPv6 literals).
std::optional<std::uint32_t> parse_ipv4_dotted(std::string_view text);
// IPv6 without brackets and without a zone ("%eth0" is rejected: a zone makes
// the same text name different hosts).
std::optional<IpAddr> parse_ipv6(std::string_view text);

// True when the last dot-separated label looks like a number ("1", "0x1f"):
// such a host is meant as an IPv4 address and must never be taken as a name.
bool ends_in_number(std::string_view host);

// Canonical text: dotted quad for IPv4 (mapped included), RFC 5952 for IPv6.
std::string format_ip(const IpAddr& addr);

// Addresses that a host-name rule never reaches by itself: loopback,
// link-local (cloud metadata lives there), unspecified, and the IPv4-compatible
// range ::/96 that some stacks route to them. They need an explicit IP rule.
bool is_sensitive_address(const IpAddr& addr);

}  // namespace mxc::net
