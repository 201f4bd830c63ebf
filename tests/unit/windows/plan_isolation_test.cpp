#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixtures.hpp"
#include "platform/windows/plan/win_constants.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using mxc::test::win::find_verdict;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("the run SID is a capability-shaped SID derived from the run id") {
    auto sid = run_capability_sid("0123456789abcdef0123456789abcdef");
    CHECK(sid.rfind("S-1-15-3-1024-", 0) == 0);
    CHECK(std::count(sid.begin(), sid.end(), '-') == 12);  // S-1-15-3-1024 + 8 sub-authorities
    CHECK(sid == run_capability_sid("0123456789abcdef0123456789abcdef"));
    CHECK(sid != run_capability_sid("fedcba9876543210fedcba9876543210"));
}

TEST_CASE("the AppContainer name depends on profile and workspace, not on case or run") {
    auto a = appcontainer_profile_name("coding-agent", "C:\\work\\proj");
    CHECK(a.rfind("mxc.", 0) == 0);
    CHECK(a.size() == 4 + 16);
    CHECK(a == appcontainer_profile_name("coding-agent", "c:\\WORK\\proj"));
    CHECK(a != appcontainer_profile_name("coding-agent", "C:\\work\\other"));
    CHECK(a != appcontainer_profile_name("default", "C:\\work\\proj"));
}

TEST_CASE("network none in an AppContainer grants no network capability, only the run SID") {
    auto plan = compile_windows_plan(base_policy(), facts());
    REQUIRE(plan.isolation == Isolation::AppContainer);
    CHECK(plan.app_container.profile_name ==
          appcontainer_profile_name("coding-agent", "C:\\work\\proj") + "." + facts().run_id);
    CHECK(plan.app_container.profile_name.size() <= 64);
    CHECK(plan.app_container.capability_sids == std::vector<std::string>{plan.run_sid});
}

TEST_CASE("network allowlist never grants internetClient: IP rules are WFP permits, not capabilities") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Allowlist;
    p.network.allow.push_back(policy::host_rule_entry("10.0.0.0/8:5432"));
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.isolation == Isolation::AppContainer);
    CHECK_FALSE(has(plan.app_container.capability_sids, k::kCapInternetClient));
    CHECK_FALSE(has(plan.app_container.capability_sids, k::kCapInternetClientServer));
    CHECK_FALSE(has(plan.app_container.capability_sids, k::kCapPrivateNetworkClientServer));
    CHECK(plan.app_container.capability_sids == std::vector<std::string>{plan.run_sid});
    CHECK(find_verdict(plan, "windows.isolation appcontainer")->mechanism.rfind("AppContainer mxc.", 0) == 0);
}

TEST_CASE("host-name allow rules run under the restricted token: an AppContainer cannot reach the proxy") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Allowlist;
    p.network.allow.push_back(policy::host_rule_entry("github.com"));
    p.network.allow.push_back(policy::host_rule_entry("10.0.0.0/8:5432"));
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(p, f);
    REQUIRE(plan.isolation == Isolation::RestrictedToken);
    CHECK(plan.app_container.profile_name.empty());
    CHECK(plan.app_container.capability_sids.empty());
    CHECK(plan.restricted_token.integrity_sid == "S-1-16-4096");
    CHECK(plan.restricted_token.restricting_sids.front() == plan.run_sid);
    const auto* v = find_verdict(plan, "windows.isolation appcontainer");
    REQUIRE(v != nullptr);
    CHECK(v->enforceable());
    CHECK(v->mechanism ==
          "restricted token instead (Low integrity, restricting run SID): host-name rules need the egress "
          "proxy on 127.0.0.1, which an AppContainer cannot connect to");
    CHECK(find_verdict(plan, "windows.isolation restricted-token") == nullptr);
}

TEST_CASE("host-name rules on a host without AppContainers: the substitution, not a failed fallback") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Allowlist;
    p.network.allow.push_back(policy::host_rule_entry("github.com"));
    auto f = facts();
    f.appcontainer_supported = false;
    auto plan = compile_windows_plan(p, f);
    CHECK(plan.isolation == Isolation::RestrictedToken);
    const auto* v = find_verdict(plan, "windows.isolation appcontainer");
    REQUIRE(v != nullptr);
    CHECK(v->enforceable());
    CHECK(std::count_if(plan.verdicts.begin(), plan.verdicts.end(), [](const platform::RuleVerdict& r) {
              return r.rule == "windows.isolation appcontainer";
          }) == 1);
}

TEST_CASE("host-name rules with an explicit restricted token need no substitution verdict") {
    auto p = base_policy();
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    p.network.mode.value = policy::NetMode::Allowlist;
    p.network.allow.push_back(policy::host_rule_entry("*.npmjs.org:443"));
    auto plan = compile_windows_plan(p, facts());
    CHECK(plan.isolation == Isolation::RestrictedToken);
    CHECK(find_verdict(plan, "windows.isolation appcontainer") == nullptr);
    CHECK(find_verdict(plan, "windows.isolation restricted-token")->enforceable());
}

TEST_CASE("the egress proxy is needed exactly for allowlists with a host-name allow rule") {
    auto with = [](policy::NetMode mode, std::vector<std::string> allow, std::vector<std::string> deny = {}) {
        auto p = base_policy();
        p.network.mode.value = mode;
        for (auto& a : allow) p.network.allow.push_back(policy::host_rule_entry(a));
        for (auto& d : deny) p.network.deny.push_back(policy::host_rule_entry(d));
        return needs_egress_proxy(p);
    };
    CHECK(with(policy::NetMode::Allowlist, {"github.com"}));
    CHECK(with(policy::NetMode::Allowlist, {"10.0.0.0/8", "*.example.org:*"}));
    CHECK_FALSE(with(policy::NetMode::Allowlist, {"10.0.0.0/8:*", "[::1]:8080", "127.0.0.1:3000"}));
    CHECK_FALSE(with(policy::NetMode::Allowlist, {}, {"evil.example"}));  // deny rules alone: WFP blocks all
    CHECK_FALSE(with(policy::NetMode::Allowlist, {"not a host!"}));       // invalid: its own verdict
    CHECK_FALSE(with(policy::NetMode::Host, {"github.com"}));
    CHECK_FALSE(with(policy::NetMode::None, {"github.com"}));
}

TEST_CASE("network host grants the three network capabilities") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Host;
    auto plan = compile_windows_plan(p, facts());
    CHECK(plan.app_container.capability_sids ==
          std::vector<std::string>{"S-1-15-3-1", "S-1-15-3-2", "S-1-15-3-3", plan.run_sid});
}

TEST_CASE(
    "restricted token: max privileges dropped, admin groups deny-only, run SID restricting, low integrity") {
    auto p = base_policy();
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.isolation == Isolation::RestrictedToken);
    const auto& t = plan.restricted_token;
    CHECK(t.flags == 0x1);
    CHECK(t.deny_only_sids == std::vector<std::string>{"S-1-5-32-544", "S-1-5-32-547", "S-1-5-32-551",
                                                       "S-1-5-32-556", "S-1-5-114"});
    CHECK(t.restricting_sids ==
          std::vector<std::string>{plan.run_sid, "S-1-1-0", "S-1-5-32-545", "S-1-5-12", "S-1-5-5-0-4242"});
    CHECK(t.integrity_sid == "S-1-16-4096");
    // The user's own SID never restricts: the user's files stay out of reach.
    CHECK_FALSE(has(t.restricting_sids, facts().user_sid));
}

TEST_CASE("a private desktop leaves the logon SID out of the restricting SIDs") {
    auto p = base_policy();
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    p.windows.desktop.value = policy::WindowsDesktop::Private;
    auto plan = compile_windows_plan(p, facts());
    CHECK(plan.desktop.private_desktop);
    CHECK(plan.desktop.name == "mxc-0123456789ab");
    CHECK_FALSE(has(plan.restricted_token.restricting_sids, "S-1-5-5-0-4242"));
}

TEST_CASE("without AppContainer support the plan falls back to a restricted token and says so") {
    auto f = facts();
    f.appcontainer_supported = false;
    auto plan = compile_windows_plan(base_policy(), f);
    CHECK(plan.isolation == Isolation::RestrictedToken);
    const auto* v = find_verdict(plan, "windows.isolation appcontainer");
    REQUIRE(v != nullptr);
    CHECK_FALSE(v->enforceable());
    CHECK(v->reason.find("Windows 8") != std::string::npos);
    CHECK(v->reason.find("--best-effort") != std::string::npos);
}

TEST_CASE("a private desktop the session cannot create is not enforceable") {
    auto p = base_policy();
    p.windows.desktop.value = policy::WindowsDesktop::Private;
    auto f = facts();
    f.private_desktop_available = false;
    const auto plan = compile_windows_plan(p, f);  // find_verdict points into it
    const auto* v = find_verdict(plan, "windows.desktop private");
    REQUIRE(v != nullptr);
    CHECK_FALSE(v->enforceable());
}

TEST_CASE("processes = 1 restricts child process creation") {
    auto p = base_policy();
    p.limits.processes = policy::Sourced<std::uint64_t>{1, {}};
    CHECK(compile_windows_plan(p, facts()).mitigations.child_process_restricted);
    p.limits.processes->value = 2;
    CHECK_FALSE(compile_windows_plan(p, facts()).mitigations.child_process_restricted);
}
