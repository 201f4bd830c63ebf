#pragma once
// Allow/deny decisions over parsed host rules. Deny beats allow; no match is
// deny. Names are decided first; every address a name resolves to is then
// re-checked (check_address) so that DNS cannot lead a name rule to loopback,
// link-local metadata, an address of this host, or a CIDR the profile denies.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "net/host_rule.hpp"

namespace mxc::net {

struct Decision {
    enum class Why {
        Allowed,           // `rule` allowed it
        DeniedByRule,      // `rule` (a deny rule) matched
        NoRule,            // nothing in allow matched
        SensitiveAddress,  // name allowed, but it resolved to loopback/link-local/unspecified
                           // or to an address of this host
        BadHost,           // the requested host is not a valid name or address
    };
    bool allowed = false;
    Why why = Why::NoRule;
    std::string rule;    // the deciding rule as written; "" for NoRule/BadHost/SensitiveAddress
    std::string detail;  // human-readable reason (for BadHost: the parse error)
};

class Matcher {
public:
    Matcher() = default;
    Matcher(std::vector<HostRule> allow, std::vector<HostRule> deny);
    // Parses every rule; the first invalid one is the error.
    static Result<Matcher> from_strings(const std::vector<std::string>& allow,
                                        const std::vector<std::string>& deny);

    // Decide on a requested host (any notation) and port, before resolution.
    [[nodiscard]] Decision decide(std::string_view host, std::uint16_t port) const;
    [[nodiscard]] Decision decide(const Target& target, std::uint16_t port) const;

    // Decide on one address that `target` resolved to. For an IP target this
    // is decide(addr). For a name: CIDR deny rules win, then the name's own
    // decision, and sensitive addresses need an explicit CIDR allow rule.
    // `local` are the addresses of this host's interfaces (LocalAddresses):
    // they are sensitive too, since services bound to 0.0.0.0 answer on them
    // as they do on loopback.
    // For the DNS stub, which sees a name but no port: allowed when some
    // port of an allow rule covering `target` passes decide(), that is when
    // an allow rule covers it and no deny rule refuses it on every port the
    // allow rules give. `ports` (optional) receives those ports; an any-port
    // allow rule contributes one port that no matching deny rule lists.
    [[nodiscard]] Decision decide_name(const Target& target,
                                       std::vector<std::uint16_t>* ports = nullptr) const;

    [[nodiscard]] Decision check_address(const Target& target, const IpAddr& addr, std::uint16_t port,
                                         const std::vector<IpAddr>& local) const;

    [[nodiscard]] const std::vector<HostRule>& allow_rules() const { return allow_; }
    [[nodiscard]] const std::vector<HostRule>& deny_rules() const { return deny_; }

private:
    [[nodiscard]] const HostRule* find(const std::vector<HostRule>& rules, const Target& t,
                                       std::uint16_t port) const;
    std::vector<HostRule> allow_;
    std::vector<HostRule> deny_;
};

// The rule a user would add to allow `target:port` ("example.com",
// "example.com:8443", "[::1]:8080"), for "add ... to [network].allow" hints.
std::string suggest_rule(const Target& target, std::uint16_t port);

// For a denial's audit event (NetEvent::reason): `d.detail`, or "" when the
// denial is only that no allow rule matched (the reader then suggests a rule)
// and for an allowed decision.
std::string denial_reason(const Decision& d);

}  // namespace mxc::net
