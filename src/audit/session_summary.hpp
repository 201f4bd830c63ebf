#pragma once
// Aggregates one session of an audit log for `mxc log`, and proposes the
// [network].allow rules that would have let denied connections through.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/log_reader.hpp"

namespace mxc::audit {

struct HostTally {
    std::string host;
    std::uint16_t port = 0;
    bool allowed = false;
    std::string rule;  // deciding rule ("" = nothing matched: default deny)
    std::uint64_t count = 0;
    std::uint64_t bytes_up = 0;
    std::uint64_t bytes_down = 0;
};

struct SessionSummary {
    std::vector<HostTally> hosts;  // allowed first, then denied; each by count, descending
    std::uint64_t allowed = 0;
    std::uint64_t denied = 0;
};

SessionSummary summarize(const SessionRecord& session);

struct SuggestedRule {
    std::string rule;  // as it would be written in [network].allow
    std::uint64_t denials = 0;
    bool needs_review = false;  // loopback / link-local / metadata: allowing it is rarely right
};

// One rule per denied host:port (ports 80 and 443 fold into the plain host
// form, which means exactly those two ports), most-denied first.
std::vector<SuggestedRule> suggest_allow_rules(const std::vector<SessionRecord>& sessions);

}  // namespace mxc::audit
