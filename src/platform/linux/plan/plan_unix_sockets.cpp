#include "platform/linux/plan/plan_unix_sockets.hpp"

#include <string>

#include "policy/paths.hpp"
#include "policy/writable_areas.hpp"

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

std::vector<UnixSocketRule> compile_unix_sockets(const policy::ResolvedPolicy& policy, const HostFacts& facts,
                                                 std::vector<platform::RuleVerdict>& verdicts) {
    std::vector<UnixSocketRule> out = compile_unix_sockets(policy);
    const std::vector<std::string> areas = untrusted_areas(policy, facts);
    for (const auto& r : policy.network.unix_sockets) {
        // The path, or when it does not exist yet (a server not started),
        // its directory and the name below it.
        auto it = facts.paths.find(r.value);
        std::string leaf;
        if (it == facts.paths.end() || !it->second.exists) {
            const auto slash = r.value.rfind('/');
            if (slash == std::string::npos || slash == 0) continue;
            it = facts.paths.find(r.value.substr(0, slash));
            leaf = r.value.substr(slash);
        }
        if (it == facts.paths.end() || !it->second.exists || it->second.links.empty()) continue;
        const PathFact& fact = it->second;
        const std::string resolved = fact.resolved == "/" && !leaf.empty() ? leaf : fact.resolved + leaf;
        const LinkHop* untrusted = nullptr;
        for (const auto& hop : fact.links) {
            for (const auto& area : areas) {
                if (policy::is_under(hop.at, area)) untrusted = &hop;
            }
        }
        const std::string why = rule_text(r) + " (" + r.origin.describe() + ")";
        if (untrusted != nullptr) {
            verdicts.push_back(platform::RuleVerdict{
                rule_text(r), r.origin.describe(), "brokered for the path as written only",
                platform::Severity::Caveat,
                "passes through the symlink " + untrusted->at + " -> " + untrusted->target +
                    ", inside an area a sandboxed run can write: only the path as written is allowed"});
            continue;
        }
        bool known = false;
        for (const auto& u : out) known = known || u.path == resolved;
        if (!known) out.push_back(UnixSocketRule{resolved, why + ", resolved on the host"});
    }
    return out;
}

std::vector<platform::RuleVerdict> unix_socket_verdicts(const policy::ResolvedPolicy& policy) {
    const bool host = policy.network.mode.value == policy::NetMode::Host;
    std::vector<platform::RuleVerdict> out;
    for (const auto& r : policy.network.unix_sockets) {
        if (host) {
            out.push_back(platform::RuleVerdict{rule_text(r), r.origin.describe(), "",
                                                platform::Severity::Note,
                                                "not brokered with network.mode host: any socket the "
                                                "filesystem rules make visible can be connected"});
            continue;
        }
        out.push_back(platform::RuleVerdict{rule_text(r), r.origin.describe(),
                                            "connect() brokered by the supervisor: path resolved in the "
                                            "sandbox's root, links never followed out of it"});
    }
    return out;
}

}  // namespace mxc::lnx
