#include <algorithm>
#include <cstdio>

#include "common/exit_codes.hpp"
#include "platform/windows/plan/plan_parts.hpp"

namespace mxc::platform::win {
namespace detail {

void add_verdict(WindowsPlan& plan, std::string rule, const policy::Origin& origin, std::string mechanism) {
    plan.verdicts.push_back(RuleVerdict{std::move(rule), origin.describe(), std::move(mechanism)});
}

void add_unenforceable(WindowsPlan& plan, std::string rule, const policy::Origin& origin,
                       std::string mechanism, std::string missing) {
    plan.verdicts.push_back(RuleVerdict{std::move(rule), origin.describe(), std::move(mechanism),
                                        Severity::Unenforceable, std::move(missing)});
}

void add_warning(WindowsPlan& plan, std::string rule, const policy::Origin& origin, std::string mechanism,
                 std::string reason) {
    plan.verdicts.push_back(RuleVerdict{std::move(rule), origin.describe(), std::move(mechanism),
                                        Severity::Warning, std::move(reason)});
}

std::string hex32(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

}  // namespace detail

bool needs_egress_proxy(const policy::ResolvedPolicy& policy) {
    if (policy.network.mode.value != policy::NetMode::Allowlist) return false;
    for (const auto& allow : policy.network.allow) {
        if (allow.parsed && allow.parsed->kind != net::HostRule::Kind::Cidr) return true;
    }
    return false;
}

WindowsPlan compile_windows_plan(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts) {
    WindowsPlan plan;
    plan.run_sid = run_capability_sid(facts.run_id);
    // Order matters only for readability of verdicts: isolation decides the
    // WFP keying, so it goes first.
    detail::plan_isolation(policy, facts, plan);
    detail::plan_job(policy, plan);
    detail::plan_acl(policy, facts, plan);
    detail::plan_wfp(policy, facts, plan);
    // [network].unix (issue 11, item 4) is a Linux broker rule. Windows has no
    // broker: an AF_UNIX connect there is decided by the socket file's ACL,
    // which only [filesystem] rules grant, so the entry allows nothing.
    for (const auto& s : policy.network.unix_sockets) {
        detail::add_warning(plan, "network.unix " + s.value, s.origin,
                            "ignored: unix sockets are not brokered on Windows (the socket file's ACL, "
                            "from [filesystem] rules, decides)",
                            "unix sockets are not brokered on Windows; this rule allows nothing here");
    }
    plan.child_env = plan.proxy_env;
    plan.child_env["MXC_SESSION_ID"] = facts.session_id.empty() ? facts.run_id : facts.session_id;
    if (!policy.tmp.empty()) {
        std::string tmp = policy.tmp;
        std::replace(tmp.begin(), tmp.end(), '/', '\\');
        plan.child_env["TEMP"] = plan.child_env["TMP"] = tmp;
    }
    return plan;
}

int launch_failure_exit_code(std::uint32_t win32_error) {
    switch (win32_error) {
        case 2:  // ERROR_FILE_NOT_FOUND
        case 3:  // ERROR_PATH_NOT_FOUND
            return exit_code::of(exit_code::ExecFailure::NotFound);
        case 5:    // ERROR_ACCESS_DENIED
        case 193:  // ERROR_BAD_EXE_FORMAT
            return exit_code::of(exit_code::ExecFailure::NotExecutable);
        default:
            return exit_code::kMxcFailure;
    }
}

}  // namespace mxc::platform::win
