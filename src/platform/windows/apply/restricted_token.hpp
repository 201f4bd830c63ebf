#pragma once
// A primary token for the sandboxed process, derived from mxc's own token:
// CreateRestrictedToken (privileges dropped, admin groups deny-only,
// restricting SIDs) + a Low mandatory label.
#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

struct RestrictedTokenResult {
    UniqueHandle token;
    // Set when the token was created but the Low integrity label could not be
    // applied (wine): the caller decides via the strictness rules.
    std::string integrity_problem;
};

Result<RestrictedTokenResult> create_restricted_token(const RestrictedTokenSpec& spec);

// mxc's own user SID and logon SID (for the plan's host facts).
struct CallerSids {
    std::string user;
    std::string logon;
};
CallerSids caller_sids();

}  // namespace mxc::platform::win
