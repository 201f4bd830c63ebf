#include "net/public_suffix.hpp"

namespace mxc::net {

std::optional<std::string> public_suffix_problem(const HostRule& rule) {
    if (rule.kind != HostRule::Kind::Wildcard) return std::nullopt;
    if (auto why = public_suffix_list_unavailable())
        return "host rule \"" + rule.text + "\" cannot be checked against the Public Suffix List: " + *why;
    if (!is_icann_public_suffix(rule.host)) return std::nullopt;
    return "host rule \"" + rule.text + "\" covers the public suffix \"" + rule.host +
           "\": every site anyone registers under it would be reachable";
}

}  // namespace mxc::net
