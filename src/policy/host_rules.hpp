#pragma once
// A HostRuleEntry made from a rule's text, for policies built around the
// resolver (unit tests, test drivers). The resolver itself parses each rule
// where it validates it (validate.cpp, cli_layer.cpp) and reports errors.
#include <string>

#include "policy/model.hpp"

namespace mxc::policy {

// `parsed` is empty when `text` is not a valid rule.
HostRuleEntry host_rule_entry(std::string text, Origin origin = {});

}  // namespace mxc::policy
