#include "audit/session_summary.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace mxc::audit {

SessionSummary summarize(const SessionRecord& session) {
    // 0 went through, 1 failed upstream, 2 denied: also the display order.
    auto state_of = [](const NetEvent& e) { return !e.allowed ? 2 : e.error.empty() ? 0 : 1; };
    std::map<std::tuple<int, std::string, std::uint16_t>, HostTally> by_key;
    SessionSummary s;
    for (const auto& e : session.net) {
        const int state = state_of(e);
        auto& t = by_key[{state, e.host, e.port}];
        t.host = e.host;
        t.port = e.port;
        t.allowed = e.allowed;
        t.failed = state == 1;
        if (t.rule.empty()) t.rule = e.rule;
        if (t.error.empty()) t.error = e.error;
        if (t.reason.empty()) t.reason = e.reason;
        if (!e.via.empty() && ("," + t.via + ",").find("," + e.via + ",") == std::string::npos)
            t.via += (t.via.empty() ? "" : ",") + e.via;
        ++t.count;
        t.bytes_up += e.bytes_up;
        t.bytes_down += e.bytes_down;
        ++(e.allowed ? s.allowed : s.denied);
        if (state == 1) ++s.failed;
    }
    s.hosts.reserve(by_key.size());
    for (auto& [key, tally] : by_key) s.hosts.push_back(std::move(tally));
    std::stable_sort(s.hosts.begin(), s.hosts.end(), [&](const HostTally& a, const HostTally& b) {
        const int sa = a.allowed ? (a.failed ? 1 : 0) : 2;
        const int sb = b.allowed ? (b.failed ? 1 : 0) : 2;
        if (sa != sb) return sa < sb;
        return a.count > b.count;
    });
    return s;
}

std::vector<learn::NetObservation> denied_destinations(const std::vector<SessionRecord>& sessions) {
    std::vector<learn::NetObservation> out;
    for (const auto& session : sessions) {
        for (const auto& e : session.net) {
            if (e.allowed || e.host.empty() || !e.rule.empty() || !e.reason.empty() || e.proto == "unix")
                continue;
            out.push_back(learn::NetObservation{e.host, e.port, e.via == "dns" ? "dns" : e.proto, false, ""});
        }
    }
    return out;
}

}  // namespace mxc::audit
