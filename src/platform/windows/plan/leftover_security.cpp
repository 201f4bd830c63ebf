#include "platform/windows/plan/leftover_security.hpp"

namespace mxc::platform::win {

LeftoverDecision decide_leftover(const ObjectSecurityFacts& facts) {
    LeftoverDecision d;
    if (facts.is_root || !facts.created_during_run) return d;
    d.reset_dacl = facts.dacl_protected || facts.explicit_aces > 0;
    d.reset_label = facts.explicit_label;
    if (d.reset_dacl) {
        d.why = facts.dacl_protected ? "protected DACL"
                                     : std::to_string(facts.explicit_aces) + " explicit ACE(s)";
    }
    if (d.reset_label) d.why += std::string(d.why.empty() ? "" : ", ") + "explicit integrity label";
    return d;
}

}  // namespace mxc::platform::win
