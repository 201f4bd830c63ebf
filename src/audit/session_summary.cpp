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
    std::map<std::tuple<bool, std::string, std::uint16_t>, HostTally> by_key;
    SessionSummary s;
    for (const auto& e : session.net) {
        auto& t = by_key[{e.allowed, e.host, e.port}];
        t.host = e.host;
        t.port = e.port;
        t.allowed = e.allowed;
        if (t.rule.empty()) t.rule = e.rule;
        ++t.count;
        t.bytes_up += e.bytes_up;
        t.bytes_down += e.bytes_down;
        ++(e.allowed ? s.allowed : s.denied);
    }
    s.hosts.reserve(by_key.size());
    for (auto& [key, tally] : by_key) s.hosts.push_back(std::move(tally));
    std::stable_sort(s.hosts.begin(), s.hosts.end(), [](const HostTally& a, const HostTally& b) {
        if (a.allowed != b.allowed) return a.allowed;
        return a.count > b.count;
    });
    return s;
}

std::vector<SuggestedRule> suggest_allow_rules(const std::vector<SessionRecord>& sessions) {
    std::map<std::string, SuggestedRule> by_rule;
    for (const auto& session : sessions) {
        for (const auto& e : session.net) {
            if (e.allowed || e.host.empty()) continue;
            std::string rule = rule_for(e.host, e.port);
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
