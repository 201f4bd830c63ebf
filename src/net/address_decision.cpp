#include "net/address_decision.hpp"

namespace mxc::net {

AddressDecision decide_address(const Matcher& matcher, const std::vector<std::string>& names,
                               const IpAddr& addr, std::uint16_t port, const std::vector<IpAddr>& local) {
    Target ip;
    ip.is_ip = true;
    ip.ip = addr;
    AddressDecision first_refusal;
    for (const std::string& name : names) {
        Target target;
        target.name = name;
        Decision d = matcher.check_address(target, addr, port, local);
        if (d.allowed) return {std::move(d), name};
        if (first_refusal.host.empty()) first_refusal = {std::move(d), name};
    }
    Decision d = matcher.check_address(ip, addr, port, local);
    if (d.allowed || first_refusal.host.empty()) return {std::move(d), format_ip(addr)};
    // Refused both ways: name the host the client asked for, which is what
    // the user would add a rule for.
    return first_refusal;
}

}  // namespace mxc::net
