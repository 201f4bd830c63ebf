#include "audit/session_summary.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace mxc::audit {
namespace {

bool is_ipv6(const std::string& host) {
    return host.find(':') != std::string::npos;
}

// Addresses a plain host rule never reaches (DESIGN.md): suggesting them
// silently would hand the sandbox the host's loopback or cloud metadata.
bool is_special_address(const std::string& host) {
    return host.rfind("127.", 0) == 0 || host == "::1" || host.rfind("169.254.", 0) == 0 ||
           host.rfind("fe80:", 0) == 0 || host == "0.0.0.0" || host == "::" || host == "localhost";
}

std::string rule_for(const std::string& host, std::uint16_t port) {
    if (port == 80 || port == 443) return is_ipv6(host) ? "[" + host + "]" : host;
    return (is_ipv6(host) ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

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

std::vector<SuggestedRule> suggest_allow_rules(const std::vector<SessionRecord>& sessions) {
    std::map<std::string, SuggestedRule> by_rule;
    for (const auto& session : sessions) {
        for (const auto& e : session.net) {
            // A reason means more than a missing allow rule: a deny rule, an
            // allowed name that resolved to loopback (the reason names the
            // rule that would reach it), an invalid host.
            if (e.allowed || e.host.empty() || !e.rule.empty() || !e.reason.empty() || e.proto == "unix")
                continue;
            std::string rule = rule_for(e.host, e.via == "dns" ? 443 : e.port);
            auto& s = by_rule[rule];
            s.rule = rule;
            ++s.denials;
            s.needs_review = is_special_address(e.host);
        }
    }
    std::vector<SuggestedRule> out;
    out.reserve(by_rule.size());
    for (auto& [rule, s] : by_rule) out.push_back(std::move(s));
    std::stable_sort(out.begin(), out.end(),
                     [](const SuggestedRule& a, const SuggestedRule& b) { return a.denials > b.denials; });
    return out;
}

}  // namespace mxc::audit
