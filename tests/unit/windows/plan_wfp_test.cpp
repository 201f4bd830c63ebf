#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixtures.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using mxc::test::win::find_verdict;
using mxc::test::win::verdicts_of;

namespace {

// A filter in a compact, comparable form: layer, action, weight, and the
// conditions after the principal ones (which every filter shares).
struct F {
    WfpLayer layer;
    WfpAction action;
    int weight;
    std::string extra;
    bool operator==(const F&) const = default;
};

std::string extra_conditions(const WfpFilter& f) {
    std::string s;
    for (const auto& c : f.conditions) {
        if (c.field == WfpField::AlePackageId || c.field == WfpField::AleUserId) continue;
        if (!s.empty()) s += " ";
        switch (c.field) {
            case WfpField::IpRemoteAddress: {
                const auto& a = c.net.addr;
                if (c.net.is_v4) {
                    s += "addr=" + std::to_string(a[12]) + "." + std::to_string(a[13]) + "." +
                         std::to_string(a[14]) + "." + std::to_string(a[15]) + "/" +
                         std::to_string(c.net.prefix - 96);
                } else {
                    s += "addr6/" + std::to_string(c.net.prefix);
                }
                break;
            }
            case WfpField::IpRemotePort:
                s += "port=" + std::to_string(c.port_lo);
                break;
            case WfpField::IpProtocol:
                s += "proto=" + std::to_string(c.protocol);
                break;
            default:
                break;
        }
    }
    return s;
}

std::vector<F> filters(const WindowsPlan& plan) {
    std::vector<F> out;
    for (const auto& f : plan.wfp.filters) {
        CHECK(f.hard_permit == (f.action == WfpAction::Permit));
        out.push_back({f.layer, f.action, f.weight, extra_conditions(f)});
    }
    return out;
}

const auto C4 = WfpLayer::AleAuthConnectV4;
const auto C6 = WfpLayer::AleAuthConnectV6;
const auto R4 = WfpLayer::AleAuthRecvAcceptV4;
const auto R6 = WfpLayer::AleAuthRecvAcceptV6;
const auto B = WfpAction::Block;
const auto P = WfpAction::Permit;

const std::vector<F> kDefaultBlocks = {{C4, B, 0, ""}, {C6, B, 0, ""}, {R4, B, 0, ""}, {R6, B, 0, ""}};

std::vector<F> sensitive_blocks() {
    std::vector<F> v;
    for (auto layer : {C4, C6}) {
        for (int port : {53, 853, 139, 445}) v.push_back({layer, B, 12, "port=" + std::to_string(port)});
        v.push_back({layer, B, 12, layer == C4 ? "proto=1" : "proto=58"});
    }
    return v;
}

std::vector<F> concat(std::vector<F> a, const std::vector<F>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

policy::ResolvedPolicy allowlist(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Allowlist;
    for (auto& a : allow) p.network.allow.push_back(policy::host_rule_entry(a));
    for (auto& d : deny) p.network.deny.push_back(policy::host_rule_entry(d));
    return p;
}

}  // namespace

TEST_CASE("network host: no WFP filters at all") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Host;
    auto plan = compile_windows_plan(p, facts());
    CHECK_FALSE(plan.wfp.enabled);
    CHECK(plan.wfp.filters.empty());
}

TEST_CASE("network none: block everything in both directions and families") {
    auto plan = compile_windows_plan(base_policy(), facts());
    CHECK(plan.wfp.enabled);
    CHECK(plan.wfp.sublayer_weight == 0xFFFF);
    CHECK(filters(plan) == kDefaultBlocks);
    CHECK(plan.proxy_env.empty());
}

TEST_CASE("AppContainer filters are keyed on the package and on the run SID") {
    auto plan = compile_windows_plan(base_policy(), facts());
    for (const auto& f : plan.wfp.filters) {
        REQUIRE(f.conditions.size() >= 2);
        CHECK(f.conditions[0].field == WfpField::AlePackageId);
        CHECK(f.conditions[0].match == WfpMatch::Equal);
        CHECK(f.conditions[0].principal == plan.app_container.profile_name);
        CHECK(f.conditions[1].field == WfpField::AleUserId);
        CHECK(f.conditions[1].match == WfpMatch::NotEqual);
        CHECK(f.conditions[1].principal ==
              "O:SYG:SYD:(D;;CC;;;" + plan.run_sid +
                  ")(A;;CC;;;WD)(A;;CC;;;AC)(A;;CC;;;RC)(A;;CC;;;S-1-0-0)(A;;CC;;;S-1-5-21-1-2-3-1001)");
    }
}

TEST_CASE("restricted-token filters are keyed on ALE_USER_ID only") {
    auto p = base_policy();
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    auto plan = compile_windows_plan(p, facts());
    for (const auto& f : plan.wfp.filters) {
        REQUIRE_FALSE(f.conditions.empty());
        CHECK(f.conditions[0].field == WfpField::AleUserId);
        CHECK(f.conditions[0].match == WfpMatch::NotEqual);
        CHECK(f.conditions[0].principal.find("(D;;CC;;;" + plan.run_sid + ")") != std::string::npos);
        CHECK(std::none_of(f.conditions.begin(), f.conditions.end(),
                           [](const WfpCondition& c) { return c.field == WfpField::AlePackageId; }));
    }
}

TEST_CASE("allowlist with domains only: proxy permit, proxy env, sensitive blocks") {
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(allowlist({"github.com", "*.npmjs.org:443"}), f);
    CHECK(filters(plan) ==
          concat(concat(kDefaultBlocks, {{C4, P, 15, "addr=127.0.0.1/32 port=41000 proto=6"}}),
                 sensitive_blocks()));
    CHECK(plan.proxy_env == std::map<std::string, std::string>{{"ALL_PROXY", "socks5h://127.0.0.1:41000"},
                                                               {"HTTPS_PROXY", "http://127.0.0.1:41000"},
                                                               {"HTTP_PROXY", "http://127.0.0.1:41000"},
                                                               {"NO_PROXY", ""}});
    CHECK(find_verdict(plan, "network.allow github.com")->enforceable());
}

TEST_CASE("allowlist CIDR rules become permits: explicit ports above sensitive blocks, :* below") {
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(
        allowlist({"10.0.0.0/8:5432", "192.168.1.0/24:*", "[::1]:8080", "10.1.2.3:53"}), f);
    auto expected = kDefaultBlocks;
    expected.push_back({C4, P, 15, "addr=127.0.0.1/32 port=41000 proto=6"});
    expected.push_back({C4, P, 13, "addr=10.0.0.0/8 port=5432"});
    expected.push_back({C4, P, 8, "addr=192.168.1.0/24"});
    expected.push_back({C6, P, 13, "addr6/128 port=8080"});
    expected.push_back({C4, P, 13, "addr=10.1.2.3/32 port=53"});
    CHECK(filters(plan) == concat(expected, sensitive_blocks()));
}

TEST_CASE("CIDR deny rules block above every permit but below the proxy") {
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(allowlist({"10.0.0.0/8:*"}, {"10.0.0.5"}), f);
    auto expected = kDefaultBlocks;
    expected.push_back({C4, P, 15, "addr=127.0.0.1/32 port=41000 proto=6"});
    expected.push_back({C4, P, 8, "addr=10.0.0.0/8"});
    expected.push_back({C4, B, 14, "addr=10.0.0.5/32 port=80"});
    expected.push_back({C4, B, 14, "addr=10.0.0.5/32 port=443"});
    CHECK(filters(plan) == concat(expected, sensitive_blocks()));
}

TEST_CASE("weights: default block is below every permit, sensitive blocks between :* and explicit permits") {
    CHECK(weight::kDefaultBlock < weight::kAnyPortPermit);
    CHECK(weight::kAnyPortPermit < weight::kSensitiveBlock);
    CHECK(weight::kSensitiveBlock < weight::kPortPermit);
    CHECK(weight::kPortPermit < weight::kDenyRule);
    CHECK(weight::kDenyRule < weight::kProxyPermit);
    CHECK(weight::kProxyPermit <= 15);  // FWP_UINT8 weights are 0..15
}

TEST_CASE("domain rules go through the egress proxy, its verdict names the port") {
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(allowlist({"github.com"}, {"evil.github.com"}), f);
    const auto* v = find_verdict(plan, "network.allow github.com");
    REQUIRE(v != nullptr);
    CHECK(v->enforceable());
    CHECK(v->mechanism ==
          "egress proxy on 127.0.0.1:41000 (HTTP_PROXY & co.; names resolved by mxc, every address "
          "re-checked)");
    const auto* d = find_verdict(plan, "network.deny evil.github.com");
    REQUIRE(d != nullptr);
    CHECK(d->enforceable());
}

TEST_CASE("before the proxy starts (dry run, explain): domain rules enforced, no proxy permit or env yet") {
    auto plan = compile_windows_plan(allowlist({"github.com"}), facts());
    const auto* v = find_verdict(plan, "network.allow github.com");
    REQUIRE(v != nullptr);
    CHECK(v->enforceable());
    CHECK(v->mechanism.find("127.0.0.1:<port chosen at launch>") != std::string::npos);
    CHECK(plan.proxy_env.empty());
    CHECK(filters(plan) == concat(kDefaultBlocks, sensitive_blocks()));
}

TEST_CASE("domain rules put the run under the restricted token, so filters carry no package condition") {
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(allowlist({"github.com"}), f);
    REQUIRE(plan.isolation == Isolation::RestrictedToken);
    for (const auto& filter : plan.wfp.filters) {
        REQUIRE_FALSE(filter.conditions.empty());
        CHECK(filter.conditions[0].field == WfpField::AleUserId);
        CHECK(std::none_of(filter.conditions.begin(), filter.conditions.end(),
                           [](const WfpCondition& c) { return c.field == WfpField::AlePackageId; }));
    }
}

TEST_CASE("without WFP access: AppContainer still enforces none, a restricted token cannot") {
    auto f = facts();
    f.wfp_available = false;
    f.wfp_error = 1764;
    auto ac = compile_windows_plan(base_policy(), f);
    CHECK(find_verdict(ac, "network.mode none")->enforceable());
    auto p = base_policy();
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    auto rt = compile_windows_plan(p, f);
    const auto* v = find_verdict(rt, "network.mode none");
    REQUIRE(v != nullptr);
    CHECK_FALSE(v->enforceable());
    CHECK(v->reason.find("error 1764") != std::string::npos);
    auto al = compile_windows_plan(allowlist({"10.0.0.0/8:*"}), f);
    CHECK_FALSE(find_verdict(al, "network.mode allowlist")->enforceable());
}

TEST_CASE(
    "without WFP access, host-name rules are not told to use an AppContainer (it cannot reach the proxy)") {
    auto f = facts();
    f.wfp_available = false;
    f.wfp_error = 5;
    auto domains = compile_windows_plan(allowlist({"github.com"}), f);
    const auto* v = find_verdict(domains, "network.mode allowlist");
    REQUIRE(v != nullptr);
    CHECK_FALSE(v->enforceable());
    CHECK(v->reason ==
          "WFP filter engine not accessible (FwpmEngineOpen0 error 5; it needs an elevated mxc): run "
          "elevated or "
          "pass --best-effort");
    auto p = allowlist({"10.0.0.0/8:*"});
    p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
    auto cidr = compile_windows_plan(p, f);
    CHECK(find_verdict(cidr, "network.mode allowlist")
              ->reason.find("use [windows].isolation = \"appcontainer\"") != std::string::npos);
}

TEST_CASE("[network].unix is ignored on Windows with a verdict and a warning saying so") {
    auto p = base_policy();
    p.network.unix_sockets.push_back({"C:/Users/u/app.sock", policy::Origin{"p.toml", 7, 9, ""}});
    auto plan = compile_windows_plan(p, facts());
    const auto* v = find_verdict(plan, "network.unix C:/Users/u/app.sock");
    REQUIRE(v != nullptr);
    CHECK(v->enforceable());  // an allowance that is not granted restricts, never widens
    CHECK(v->severity == mxc::platform::Severity::Warning);
    CHECK(v->origin == "p.toml:7:9");
    CHECK(v->mechanism.find("not brokered on Windows") != std::string::npos);
    REQUIRE(verdicts_of(plan, mxc::platform::Severity::Warning).size() == 1);
    CHECK(
        verdicts_of(plan, mxc::platform::Severity::Warning)[0]->message() ==
        "network.unix C:/Users/u/app.sock (p.toml:7:9): unix sockets are not brokered on Windows; this rule "
        "allows nothing here");
}
