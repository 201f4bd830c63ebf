#include "net/matcher.hpp"

#include <algorithm>
#include <optional>

namespace mxc::net {
namespace {

bool rule_matches(const HostRule& r, const Target& t, std::uint16_t port) {
    if (!r.ports.contains(port)) return false;
    switch (r.kind) {
        case HostRule::Kind::Exact:
            return !t.is_ip && t.name == r.host;
        case HostRule::Kind::Wildcard:
            // Subdomains only: "*.x.com" matches "a.x.com", never "x.com" or "evilx.com".
            // An empty suffix matches every name: only `mxc learn
            // --allow-net-learning` builds one (the parser refuses "*.").
            if (!t.is_ip && r.host.empty()) return true;
            return !t.is_ip && t.name.size() > r.host.size() + 1 &&
                   t.name.compare(t.name.size() - r.host.size(), r.host.size(), r.host) == 0 &&
                   t.name[t.name.size() - r.host.size() - 1] == '.';
        case HostRule::Kind::Cidr:
            return t.is_ip && net_contains(r.net, t.ip);
    }
    return false;
}

}  // namespace

Matcher::Matcher(std::vector<HostRule> allow, std::vector<HostRule> deny)
    : allow_(std::move(allow)), deny_(std::move(deny)) {}

Result<Matcher> Matcher::from_strings(const std::vector<std::string>& allow,
                                      const std::vector<std::string>& deny) {
    std::vector<HostRule> a, d;
    for (const auto& s : allow) {
        auto r = parse_host_rule(s);
        if (!r) return r.error();
        a.push_back(std::move(r).value());
    }
    for (const auto& s : deny) {
        auto r = parse_host_rule(s);
        if (!r) return r.error();
        d.push_back(std::move(r).value());
    }
    return Matcher(std::move(a), std::move(d));
}

const HostRule* Matcher::find(const std::vector<HostRule>& rules, const Target& t, std::uint16_t port) const {
    for (const auto& r : rules)
        if (rule_matches(r, t, port)) return &r;
    return nullptr;
}

Decision Matcher::decide(std::string_view host, std::uint16_t port) const {
    auto t = normalize_host(host);
    if (!t) return Decision{false, Decision::Why::BadHost, "", t.error().message};
    return decide(*t, port);
}

Decision Matcher::decide(const Target& t, std::uint16_t port) const {
    if (const HostRule* r = find(deny_, t, port))
        return Decision{false, Decision::Why::DeniedByRule, r->text,
                        "denied by [network].deny rule \"" + r->text + "\""};
    if (const HostRule* r = find(allow_, t, port)) return Decision{true, Decision::Why::Allowed, r->text, ""};
    return Decision{false, Decision::Why::NoRule, "", "no [network].allow rule matches"};
}

Decision Matcher::decide_name(const Target& t, std::vector<std::uint16_t>* ports) const {
    if (t.is_ip) return Decision{false, Decision::Why::BadHost, "", "an address is not a name to look up"};
    std::vector<std::uint16_t> found;
    std::optional<Decision> refused;
    auto try_port = [&](std::uint16_t port) {
        if (std::find(found.begin(), found.end(), port) != found.end()) return;
        Decision d = decide(t, port);
        if (d.allowed) {
            found.push_back(port);
        } else if (!refused) {
            refused = std::move(d);
        }
    };
    for (const HostRule& r : allow_) {
        HostRule any_port = r;
        any_port.ports.any = true;
        if (!rule_matches(any_port, t, 0)) continue;
        if (!r.ports.any) {
            // An empty list is the default, 80 and 443 (PortSet::contains).
            static constexpr std::uint16_t kDefault[] = {80, 443};
            if (r.ports.ports.empty()) {
                for (std::uint16_t port : kDefault) try_port(port);
            } else {
                for (std::uint16_t port : r.ports.ports) try_port(port);
            }
            continue;
        }
        // Any port: the first one no deny rule for this name lists (a deny
        // rule with any port refuses them all).
        std::vector<std::uint16_t> listed;
        bool all_denied = false;
        for (const HostRule& d : deny_) {
            HostRule d_any = d;
            d_any.ports.any = true;
            if (!rule_matches(d_any, t, 0)) continue;
            if (d.ports.any) all_denied = true;
            listed.insert(listed.end(), d.ports.ports.begin(), d.ports.ports.end());
        }
        std::uint16_t port = 1;
        if (!all_denied) {
            while (port != 0 && std::find(listed.begin(), listed.end(), port) != listed.end()) ++port;
        }
        try_port(all_denied || port == 0 ? 1 : port);
    }
    if (ports != nullptr) *ports = found;
    if (!found.empty()) return decide(t, found.front());
    if (refused) return *refused;
    return Decision{false, Decision::Why::NoRule, "", "no [network].allow rule matches"};
}

Decision Matcher::check_address(const Target& t, const IpAddr& addr, std::uint16_t port,
                                const std::vector<IpAddr>& local) const {
    Target as_ip;
    as_ip.is_ip = true;
    as_ip.ip = addr;
    if (t.is_ip) return decide(as_ip, port);
    if (const HostRule* r = find(deny_, as_ip, port))
        return Decision{false, Decision::Why::DeniedByRule, r->text,
                        t.name + " resolved to " + format_ip(addr) + ", denied by [network].deny rule \"" +
                            r->text + "\""};
    Decision by_name = decide(t, port);
    if (!by_name.allowed) return by_name;
    const bool sensitive = is_sensitive_address(addr);
    if (sensitive || std::find(local.begin(), local.end(), addr) != local.end()) {
        if (const HostRule* r = find(allow_, as_ip, port))
            return Decision{true, Decision::Why::Allowed, r->text, ""};
        return Decision{
            false, Decision::Why::SensitiveAddress, "",
            t.name + " resolved to " + format_ip(addr) +
                (sensitive ? " (loopback, link-local or unspecified)" : " (an address of this host)") +
                "; a host-name rule never reaches it, add \"" + suggest_rule(as_ip, port) +
                "\" to [network].allow if intended"};
    }
    return by_name;
}

std::string suggest_rule(const Target& t, std::uint16_t port) {
    std::string host = t.is_ip && !t.ip.is_v4() ? "[" + format_ip(t.ip) + "]" : t.text();
    if (!t.is_ip && (port == 80 || port == 443)) return host;
    return host + ":" + std::to_string(port);
}

std::string denial_reason(const Decision& d) {
    if (d.allowed || d.why == Decision::Why::NoRule) return {};
    return d.detail;
}

}  // namespace mxc::net
