#include "platform/linux/plan_unix_sockets.hpp"

#include <string>

namespace mxc::lnx {
namespace {

std::string rule_text(const policy::Sourced<std::string>& rule) {
    return "network.unix " + rule.value;
}

}  // namespace

std::vector<UnixSocketRule> compile_unix_sockets(const policy::ResolvedPolicy& policy) {
    std::vector<UnixSocketRule> out;
    out.reserve(policy.network.unix_sockets.size());
    for (const auto& r : policy.network.unix_sockets)
        out.push_back(UnixSocketRule{r.value, rule_text(r) + " (" + r.origin.describe() + ")"});
    return out;
}

std::vector<platform::RuleVerdict> unix_socket_verdicts(const policy::ResolvedPolicy& policy) {
    const bool host = policy.network.mode.value == policy::NetMode::Host;
    std::vector<platform::RuleVerdict> out;
    for (const auto& r : policy.network.unix_sockets) {
        out.push_back(platform::RuleVerdict{
            rule_text(r), r.origin.describe(),
            host ? "not brokered with network.mode host: any socket the filesystem rules make visible "
                   "can be connected"
                 : "connect() brokered by the supervisor: path resolved in the sandbox's root, links "
                   "never followed out of it",
            true, ""});
    }
    return out;
}

}  // namespace mxc::lnx
