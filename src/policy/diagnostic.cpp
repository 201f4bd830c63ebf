#include "policy/policy.hpp"

namespace mxc::policy {

std::string Diagnostic::to_string() const {
    std::string out = where.describe() + ": error: " + message;
    if (!hint.empty()) out += " (" + hint + ")";
    return out;
}

}  // namespace mxc::policy
