#include "policy/host_rules.hpp"

#include <utility>

#include "net/host_rule.hpp"

namespace mxc::policy {

HostRuleEntry host_rule_entry(std::string text, Origin origin) {
    HostRuleEntry entry{std::move(text), std::move(origin), std::nullopt};
    if (auto parsed = net::parse_host_rule(entry.value)) entry.parsed = std::move(parsed).value();
    return entry;
}

}  // namespace mxc::policy
