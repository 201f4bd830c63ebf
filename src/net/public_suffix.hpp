#pragma once
// Refusing allow rules that cover a whole public suffix: "*.com" or
// "*.co.uk" would let the sandbox reach any site anyone can register, which
// is the network policy of no policy. The list is the Public Suffix List as
// Debian ships it, not a hand-made one.
//
// Only the ICANN section counts. The private section lists names that
// companies hand out to their users ("github.io", "githubusercontent.com",
// "s3.amazonaws.com"); a wildcard on one of those is a deliberate, common
// choice ("*.githubusercontent.com" in coding-agent) that stays with one
// operator. Names under a TLD the list does not know ("*.internal",
// "*.corp") are intranet names and are accepted too.
#include <optional>
#include <string>
#include <string_view>

#include "net/host_rule.hpp"

namespace mxc::net {

// True when `name` (lowercase punycode, as HostRule and Target hold it) is a
// public suffix in the ICANN section: "com", "co.uk", "xn--p1ai".
// Linux: libpsl, using the newer of its built-in list and the publicsuffix
// package's (/usr/share/publicsuffix). Windows (no libpsl): the same
// package's list as it was on the build host, embedded (public_suffix_list.hpp).
// True as well when the list cannot be consulted (see below).
bool is_icann_public_suffix(std::string_view name);

// Why the list cannot be consulted on this host (Linux: libpsl, loaded on
// first use, is missing), or nullopt. Always nullopt on Windows.
std::optional<std::string> public_suffix_list_unavailable();

// For an allow rule: why it is refused ("covers the public suffix ..."), or
// nullopt when it names something narrower. Only wildcards can cover a
// suffix; an exact rule "com" is the one host of that name.
std::optional<std::string> public_suffix_problem(const HostRule& rule);

// What to write instead, for the diagnostic's hint.
inline constexpr const char* kPublicSuffixHint =
    "name the domains the command needs, e.g. \"*.example.co.uk\" or \"api.example.com\"";

}  // namespace mxc::net
