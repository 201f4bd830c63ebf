// network.mode = "allowlist": own namespace, the egress proxy's port and
// rules, the proxy variables, verdicts and strictness.
#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixture.hpp"
#include "policy/host_rules.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::NetMode;

namespace {

Scenario allowlist(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
    Scenario s;
    s.policy.name = "agent";
    s.policy.network.mode = {NetMode::Allowlist, origin("p.toml", 3)};
    int line = 4;
    for (auto& a : allow)
        s.policy.network.allow.push_back(mxc::policy::host_rule_entry(a, origin("p.toml", line++)));
    for (auto& d : deny)
        s.policy.network.deny.push_back(mxc::policy::host_rule_entry(d, origin("p.toml", line++)));
    s.policy.env.pass.push_back({"*", origin("p.toml", 20)});
    return s;
}

std::vector<std::string> texts(const std::vector<mxc::net::HostRule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.text);
    return out;
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

const mxc::platform::RuleVerdict* verdict(const LinuxPlan& plan, const std::string& rule) {
    for (const auto& v : plan.verdicts) {
        if (v.rule == rule) return &v;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("allowlist keeps its own network namespace and plans the proxy on the fixed port") {
    auto plan = allowlist({"example.com"}).compile();
    CHECK_FALSE(mxc::platform::refuses(plan.verdicts, false));
    CHECK(plan.new_net);
    REQUIRE(plan.proxy.has_value());
    CHECK(plan.proxy->port == ProxyPlan::kDefaultPort);
    CHECK(plan.proxy->port == 3128);
    const auto* mode = verdict(plan, "network.mode allowlist");
    REQUIRE(mode != nullptr);
    CHECK(mode->severity == Severity::Enforced);
    CHECK(mode->mechanism.find("egress proxy on 127.0.0.1:3128") != std::string::npos);
}

TEST_CASE("the proxy carries the rules as written and the profile name for denial messages") {
    auto plan = allowlist({"example.com", "*.github.com:443"}, {"evil.example.com"}).compile();
    REQUIRE(plan.proxy.has_value());
    CHECK(texts(plan.proxy->allow) == std::vector<std::string>{"example.com", "*.github.com:443"});
    CHECK(texts(plan.proxy->deny) == std::vector<std::string>{"evil.example.com"});
    CHECK(plan.proxy->profile_name == "agent");
}

TEST_CASE("the command gets the proxy variables in both cases") {
    auto plan = allowlist({"example.com"}).compile();
    for (const char* e : {"HTTP_PROXY=http://127.0.0.1:3128", "HTTPS_PROXY=http://127.0.0.1:3128",
                          "ALL_PROXY=socks5h://127.0.0.1:3128", "http_proxy=http://127.0.0.1:3128",
                          "https_proxy=http://127.0.0.1:3128", "all_proxy=socks5h://127.0.0.1:3128"}) {
        CHECK_MESSAGE(has(plan.env, e), e);
    }
    CHECK(has(plan.env, "MXC_SESSION_ID=s1"));
    CHECK(std::is_sorted(plan.env.begin(), plan.env.end()));
}

TEST_CASE("NO_PROXY keeps the sandbox's own loopback direct when no rule targets loopback") {
    auto plan = allowlist({"example.com", "10.0.0.0/8"}).compile();
    CHECK(has(plan.env, "NO_PROXY=localhost,127.0.0.1,::1"));
    CHECK(has(plan.env, "no_proxy=localhost,127.0.0.1,::1"));
}

TEST_CASE("an explicit loopback IP rule sends loopback through the proxy (empty NO_PROXY)") {
    for (const char* rule : {"127.0.0.1:8080", "[::1]:8080", "127.0.0.0/8:*", "0.0.0.0/0"}) {
        auto plan = allowlist({"example.com", rule}).compile();
        CHECK_MESSAGE(has(plan.env, "NO_PROXY="), rule);
        CHECK_MESSAGE(has(plan.env, "no_proxy="), rule);
    }
}

TEST_CASE("a host name rule never counts as consent to the host's loopback") {
    auto plan = allowlist({"localhost:8080"}).compile();
    CHECK(has(plan.env, "NO_PROXY=localhost,127.0.0.1,::1"));
}

TEST_CASE("a loopback deny rule does not open the host's loopback") {
    auto plan = allowlist({"example.com"}, {"127.0.0.1"}).compile();
    CHECK(has(plan.env, "NO_PROXY=localhost,127.0.0.1,::1"));
}

TEST_CASE("inherited or [env] proxy variables are replaced, not merged") {
    auto s = allowlist({"example.com"});
    s.facts.environ = {"HTTP_PROXY=http://corp:8080", "no_proxy=*", "KEEP=1"};
    s.policy.env.set["ALL_PROXY"] = {"socks5://elsewhere:1080", origin("p.toml", 21)};
    auto plan = s.compile();
    CHECK(has(plan.env, "HTTP_PROXY=http://127.0.0.1:3128"));
    CHECK(has(plan.env, "no_proxy=localhost,127.0.0.1,::1"));
    CHECK(has(plan.env, "ALL_PROXY=socks5h://127.0.0.1:3128"));
    CHECK(has(plan.env, "KEEP=1"));
    CHECK(std::count_if(plan.env.begin(), plan.env.end(),
                        [](const std::string& e) { return e.rfind("HTTP_PROXY=", 0) == 0; }) == 1);
}

TEST_CASE("modes none and host get no proxy variables") {
    auto s = allowlist({"example.com"});
    s.policy.network.mode.value = NetMode::None;
    auto plan = s.compile();
    CHECK_FALSE(contains_text(plan.env, "PROXY="));
    CHECK_FALSE(contains_text(plan.env, "proxy="));
}

TEST_CASE("every allow and deny rule gets a verdict naming the egress proxy") {
    auto plan = allowlist({"example.com"}, {"evil.example.com"}).compile();
    const auto* mode = verdict(plan, "network.mode allowlist");
    REQUIRE(mode != nullptr);
    CHECK(mode->enforceable());
    CHECK(mode->origin == "p.toml:3:1");
    const auto* allow = verdict(plan, "network.allow example.com");
    REQUIRE(allow != nullptr);
    CHECK(allow->enforceable());
    CHECK(allow->mechanism == "connect broker and egress proxy in the supervisor; no route otherwise");
    CHECK(allow->origin == "p.toml:4:1");
    const auto* deny = verdict(plan, "network.deny evil.example.com");
    REQUIRE(deny != nullptr);
    CHECK(deny->enforceable());
    CHECK(deny->mechanism.find("the egress proxy in the supervisor") != std::string::npos);
}

TEST_CASE("without user namespaces allowlist is refused naming the rule and the missing feature") {
    auto s = allowlist({"example.com"});
    s.facts.user_namespaces = false;
    s.facts.user_namespaces_detail = "user.max_user_namespaces = 0";
    auto plan = s.compile();
    const auto refusing = verdicts_of(plan, Severity::Unenforceable);
    REQUIRE(refusing.size() == 2);
    CHECK(refusing[0]->rule == "network.mode allowlist");
    CHECK(refusing[0]->origin == "p.toml:3:1");
    CHECK(refusing[0]->reason.find("network namespaces") != std::string::npos);
    CHECK(refusing[0]->reason.find("--best-effort") != std::string::npos);
    CHECK(refusing[1]->rule == "network.allow example.com");
    CHECK(refusing[1]->origin == "p.toml:4:1");
    CHECK(refusing[1]->reason.find("max_user_namespaces") != std::string::npos);
}

TEST_CASE("an invalid rule in a hand-built policy is an error naming it") {
    auto plan = allowlist({"exa mple.com"}).compile();
    const RuleVerdict* bad = find_verdict(plan, Severity::Fatal, "network.allow exa mple.com");
    REQUIRE(bad != nullptr);
    CHECK(bad->origin == "p.toml:4:1");
}

TEST_CASE("--dry-run shows the proxy line with its rules and NO_PROXY") {
    auto text = format_plan(allowlist({"example.com"}, {"evil.example.com"}).compile());
    CHECK(text.find("proxy: 127.0.0.1:3128") != std::string::npos);
    CHECK(text.find("allow example.com;") != std::string::npos);
    CHECK(text.find("deny evil.example.com;") != std::string::npos);
    CHECK(text.find("NO_PROXY=\"localhost,127.0.0.1,::1\"") != std::string::npos);
    CHECK(format_plan(Scenario().compile()).find("proxy:") == std::string::npos);
}

TEST_CASE("the connect broker serves modes none and allowlist, never host") {
    auto with_rules = allowlist({"example.com"}, {"evil.example.com"}).compile();
    REQUIRE(with_rules.broker.has_value());
    CHECK(texts(with_rules.broker->allow) == std::vector<std::string>{"example.com"});
    CHECK(texts(with_rules.broker->deny) == std::vector<std::string>{"evil.example.com"});
    // The proxy's and the DNS stub's ports stay in the sandbox even when a
    // rule opens the host's loopback.
    CHECK(std::find(with_rules.broker->own_ports.begin(), with_rules.broker->own_ports.end(), 3128) !=
          with_rules.broker->own_ports.end());
    CHECK(std::find(with_rules.broker->own_ports.begin(), with_rules.broker->own_ports.end(), 53) !=
          with_rules.broker->own_ports.end());
    REQUIRE(verdict(with_rules, "network.mode allowlist") != nullptr);
    CHECK(verdict(with_rules, "network.mode allowlist")->mechanism.find("connect broker") !=
          std::string::npos);

    Scenario none;
    none.policy.network.mode = {NetMode::None, origin("p.toml", 3)};
    auto refused = none.compile();
    REQUIRE(refused.broker.has_value());
    CHECK(refused.broker->allow.empty());
    const auto* none_mode = verdict(refused, "network.mode none");
    REQUIRE(none_mode != nullptr);
    CHECK(none_mode->severity == Severity::Enforced);
    CHECK(none_mode->mechanism.find("connect broker") != std::string::npos);
    CHECK(none_mode->mechanism.find("refuse everything that would leave") != std::string::npos);

    Scenario host;
    host.policy.network.mode = {NetMode::Host, origin("p.toml", 3)};
    CHECK_FALSE(host.compile().broker.has_value());
}

TEST_CASE("io_uring allowed back with allowlist is refused: its workers bypass the broker") {
    auto s = allowlist({"example.com"});
    s.policy.seccomp.allow.push_back({"io_uring", origin("p.toml", 9)});
    auto plan = s.compile();
    CHECK(find_verdict(plan, Severity::Fatal, "seccomp.allow io_uring with network.mode allowlist") !=
          nullptr);

    Scenario none;  // no brokered host sockets in mode none: allowed
    none.policy.network.mode = {NetMode::None, origin("p.toml", 3)};
    none.policy.seccomp.allow.push_back({"io_uring", origin("p.toml", 9)});
    CHECK(verdicts_of(none.compile(), Severity::Fatal).empty());
}
