#include "learn/host_suggest.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "learn/toml_text.hpp"
#include "net/host_rule.hpp"
#include "net/matcher.hpp"

namespace mxc::learn {
namespace {

bool is_ipv6(const std::string& host) {
    return host.find(':') != std::string::npos;
}

std::optional<net::Matcher> base_matcher(const policy::NetworkRules& base) {
    std::vector<net::HostRule> allow;
    std::vector<net::HostRule> deny;
    for (const auto& r : base.allow) {
        if (!r.parsed) return std::nullopt;
        allow.push_back(*r.parsed);
    }
    for (const auto& r : base.deny) {
        if (!r.parsed) return std::nullopt;
        deny.push_back(*r.parsed);
    }
    return net::Matcher(std::move(allow), std::move(deny));
}

}  // namespace

std::string host_rule_for(const std::string& host, std::uint16_t port) {
    std::string shown = is_ipv6(host) ? "[" + host + "]" : host;
    if (port == 0 || port == 80 || port == 443) return shown;
    return shown + ":" + std::to_string(port);
}

bool needs_review_host(const std::string& host) {
    return host.rfind("127.", 0) == 0 || host == "::1" || host.rfind("169.254.", 0) == 0 ||
           host.rfind("fe80:", 0) == 0 || host == "0.0.0.0" || host == "::" || host == "localhost";
}

std::vector<HostNeed> suggest_hosts(const std::vector<NetObservation>& hosts,
                                    const policy::NetworkRules* base, std::vector<PathRefusal>& not_learned) {
    std::optional<net::Matcher> matcher;
    if (base != nullptr && base->mode.value == policy::NetMode::Allowlist) matcher = base_matcher(*base);
    auto refuse = [&](const std::string& what, const std::string& why, const std::string& program) {
        for (auto& r : not_learned) {
            if (r.path == what) {
                if (!program.empty() &&
                    std::find(r.programs.begin(), r.programs.end(), program) == r.programs.end())
                    r.programs.push_back(program);
                return;
            }
        }
        not_learned.push_back(
            PathRefusal{what, why, program.empty() ? std::vector<std::string>{} : std::vector{program}});
    };

    std::map<std::string, HostNeed> by_rule;
    for (const auto& h : hosts) {
        const std::string program = h.program.empty() ? std::string() : basename_of(h.program);
        if (h.proto == "unix") {
            refuse(comment_text(h.host),
                   "a unix socket: add it to [network].unix by hand if the command needs it", program);
            continue;
        }
        if (base != nullptr && base->mode.value == policy::NetMode::Host) continue;  // everything is allowed
        auto target = net::normalize_host(h.host);
        if (!target || h.host.empty()) {
            refuse(comment_text(h.host), "not a valid host name or address", program);
            continue;
        }
        const std::uint16_t port = h.proto == "dns" ? 443 : h.port;
        if (matcher) {
            const auto d = matcher->decide(*target, port == 0 ? 443 : port);
            if (d.allowed) continue;
            if (d.why == net::Decision::Why::DeniedByRule) {
                refuse(host_rule_for(target->text(), port),
                       "denied by the base profile's [network].deny rule \"" + d.rule + "\"", program);
                continue;
            }
        }
        const std::string rule = host_rule_for(target->text(), port);
        auto& need = by_rule[rule];
        need.rule = rule;
        ++need.count;
        need.needs_review = needs_review_host(target->text());
        if (!h.allowed) need.refused = true;
        if (!program.empty() &&
            std::find(need.programs.begin(), need.programs.end(), program) == need.programs.end())
            need.programs.push_back(program);
    }
    std::vector<HostNeed> out;
    out.reserve(by_rule.size());
    for (auto& [rule, need] : by_rule) {
        std::sort(need.programs.begin(), need.programs.end());
        out.push_back(std::move(need));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const HostNeed& a, const HostNeed& b) { return a.count > b.count; });
    return out;
}

}  // namespace mxc::learn
