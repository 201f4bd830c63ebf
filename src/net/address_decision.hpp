#pragma once
// The decision on a connection to an address, for the paths that see only an
// address (the connect broker, issue 11). It is the matcher's own decision
// (Matcher::decide + Matcher::check_address, the same calls the proxy makes
// for a name it resolved), applied to each name the DNS stub gave out for
// that address and then to the address itself, so the proxy, the broker and
// the stub cannot disagree about a rule.
//
// What only the proxy can check: the name the client meant. An address that
// an allowed name resolved to may serve other sites too (a CDN, a shared
// host); a connect() to it is allowed for that name's ports.
#include <cstdint>
#include <string>
#include <vector>

#include "net/ip_address.hpp"
#include "net/matcher.hpp"

namespace mxc::net {

struct AddressDecision {
    Decision decision;
    // For messages and the audit event: the name that decided, or the first
    // remembered name when all were refused, or the address as text.
    std::string host;
};

// `names`: the names the stub answered with `addr`, most recent first (may be
// empty). `local`: this host's interface addresses (sensitive like loopback).
AddressDecision decide_address(const Matcher& matcher, const std::vector<std::string>& names,
                               const IpAddr& addr, std::uint16_t port, const std::vector<IpAddr>& local);

}  // namespace mxc::net
