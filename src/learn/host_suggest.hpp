#pragma once
// The [network] part of a suggestion, shared by `mxc learn` and
// `mxc log --suggest`: one allow rule per destination, in the form a user
// writes ("example.com" for ports 80 and 443, "host:port" otherwise).
#include <cstdint>
#include <string>
#include <vector>

#include "learn/suggestion.hpp"

namespace mxc::learn {

// The [network].allow rule for `host` (already normalised) and `port`:
// ports 80 and 443 fold into the plain host form, which means exactly
// those two; an IPv6 literal is bracketed. Port 0 (a name lookup) is 443.
std::string host_rule_for(const std::string& host, std::uint16_t port);

// Loopback, link-local (cloud metadata), unspecified, "localhost": a rule for
// one is almost never what the user wants, so it is only ever proposed
// commented out (docs/design.md, Network).
bool needs_review_host(const std::string& host);

// One rule per destination in `hosts`, most used first. `base`: the base
// profile's network rules; destinations they already allow are left out
// (null: nothing is allowed yet, as for `mxc log`). Unix sockets and
// invalid host names go to `not_learned`.
std::vector<HostNeed> suggest_hosts(const std::vector<NetObservation>& hosts,
                                    const policy::NetworkRules* base, std::vector<PathRefusal>& not_learned);

}  // namespace mxc::learn
