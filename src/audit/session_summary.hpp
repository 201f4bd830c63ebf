#pragma once
// Aggregates one session of an audit log for `mxc log`, and proposes the
// [network].allow rules that would have let denied connections through.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/log_reader.hpp"
#include "learn/observations.hpp"

namespace mxc::audit {

struct HostTally {
    std::string host;
    std::uint16_t port = 0;
    bool allowed = false;
    // Allowed, but the upstream connection failed (NetEvent::error): these
    // are tallied apart from the connections that went through.
    bool failed = false;
    std::string rule;    // deciding rule ("" = nothing matched: default deny)
    std::string error;   // failed: the first error seen
    std::string reason;  // denied: the first reason seen ("" = no allow rule matched)
    std::string via;     // the paths that decided, in order of appearance: "proxy,connect"
    std::uint64_t count = 0;
    std::uint64_t bytes_up = 0;
    std::uint64_t bytes_down = 0;
};

struct SessionSummary {
    // Went through first, then failed, then denied; each by count, descending.
    std::vector<HostTally> hosts;
    std::uint64_t allowed = 0;  // failed ones included
    std::uint64_t failed = 0;
    std::uint64_t denied = 0;
};

SessionSummary summarize(const SessionRecord& session);

// The destinations that were denied only because no allow rule matched, as
// observations for the suggestion code that `mxc learn` uses too
// (learn/host_suggest.hpp). Left out: allowed connections that failed
// upstream (no rule is missing), denials with a reason (a deny rule, which an
// allow rule would not override; an allowed name that resolved to loopback;
// an invalid host) and unix sockets (not [network].allow rules). A refused
// name lookup is a "dns" observation of the name.
std::vector<learn::NetObservation> denied_destinations(const std::vector<SessionRecord>& sessions);

}  // namespace mxc::audit
