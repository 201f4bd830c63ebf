// The sandbox's DNS stub in the plan (issue 11): modes none and allowlist
// get the stub, a generated resolv.conf naming it and a localhost-only hosts
// file, bound read-only after every other mount; mode host gets nothing.
#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::NetMode;

namespace {

Scenario with_mode(NetMode mode) {
    Scenario s;
    s.policy.name = "agent";
    s.policy.network.mode = {mode, origin("p.toml", 3)};
    if (mode == NetMode::Allowlist)
        s.policy.network.allow.push_back(mxc::policy::host_rule_entry("example.com", origin("p.toml", 4)));
    s.policy.env.pass.push_back({"*", origin("p.toml", 20)});
    return s;
}

const MountOp* generated(const LinuxPlan& plan, const std::string& target) {
    for (const auto& m : plan.mounts)
        if (m.kind == MountKind::Generated && m.target == target) return &m;
    return nullptr;
}

std::size_t index_of(const LinuxPlan& plan, const MountOp* op) {
    return static_cast<std::size_t>(op - plan.mounts.data());
}

}  // namespace

TEST_CASE("modes none and allowlist plan the DNS stub and generate resolv.conf and hosts") {
    for (NetMode mode : {NetMode::None, NetMode::Allowlist}) {
        CAPTURE(static_cast<int>(mode));
        auto plan = with_mode(mode).compile();
        CHECK(verdicts_of(plan, Severity::Fatal).empty());
        REQUIRE(plan.dns.has_value());
        CHECK(plan.dns->profile_name == "agent");
        const MountOp* resolv = generated(plan, "/etc/resolv.conf");
        const MountOp* hosts = generated(plan, "/etc/hosts");
        REQUIRE(resolv != nullptr);
        REQUIRE(hosts != nullptr);
        CHECK(resolv->content == plan.dns->resolv_conf);
        CHECK(hosts->content == plan.dns->hosts);
        CHECK_FALSE(resolv->is_dir);
        // The stub and fast failure: one try, one second.
        CHECK(resolv->content.find("nameserver 127.0.0.1\n") != std::string::npos);
        CHECK(resolv->content.find("nameserver", resolv->content.find("nameserver") + 1) ==
              std::string::npos);
        CHECK(resolv->content.find("timeout:1") != std::string::npos);
        CHECK(resolv->content.find("attempts:1") != std::string::npos);
        CHECK(resolv->content.find("search") == std::string::npos);
        // Only localhost: every other name goes to the stub.
        CHECK(hosts->content.find("127.0.0.1\tlocalhost\n") != std::string::npos);
        CHECK(hosts->content.find("::1\tlocalhost") != std::string::npos);
        std::size_t entries = 0;
        for (std::size_t pos = 0; (pos = hosts->content.find('\n', pos)) != std::string::npos; ++pos)
            ++entries;
        CHECK(entries == 3);  // the comment and the two localhost lines
        // After every other mount, so /etc (a bind or the root tmpfs) is there.
        for (const auto& m : plan.mounts) {
            if (m.kind == MountKind::Generated) continue;
            CHECK(index_of(plan, resolv) > static_cast<std::size_t>(&m - plan.mounts.data()));
        }
        const RuleVerdict* net = find_verdict(
            plan, Severity::Enforced, mode == NetMode::None ? "network.mode none" : "network.mode allowlist");
        REQUIRE(net != nullptr);
        CHECK(net->mechanism.find("DNS stub on 127.0.0.1:53") != std::string::npos);
    }
}

TEST_CASE("mode host keeps the host's resolver: no stub, no generated files") {
    auto plan = with_mode(NetMode::Host).compile();
    CHECK_FALSE(plan.dns.has_value());
    CHECK(generated(plan, "/etc/resolv.conf") == nullptr);
    CHECK(generated(plan, "/etc/hosts") == nullptr);
}

TEST_CASE("--dry-run shows the stub and the generated files") {
    auto none = format_plan(with_mode(NetMode::None).compile());
    CHECK(none.find("dns: stub on 127.0.0.1:53") != std::string::npos);
    CHECK(none.find("refuses every name") != std::string::npos);
    CHECK(none.find("generated /etc/resolv.conf") != std::string::npos);
    CHECK(none.find("generated /etc/hosts") != std::string::npos);
    auto allow = format_plan(with_mode(NetMode::Allowlist).compile());
    CHECK(allow.find("answers names an allow rule covers") != std::string::npos);
}

TEST_CASE("mode none sets npm_config_fetch_retries=0 unless the caller chose a value") {
    auto plan = with_mode(NetMode::None).compile();
    CHECK(std::count(plan.env.begin(), plan.env.end(), "npm_config_fetch_retries=0") == 1);
    CHECK(std::is_sorted(plan.env.begin(), plan.env.end(), [](const std::string& a, const std::string& b) {
        return a.substr(0, a.find('=')) < b.substr(0, b.find('='));
    }));
    auto kept = with_mode(NetMode::None);
    kept.facts.environ.push_back("NPM_CONFIG_FETCH_RETRIES=5");
    auto plan2 = kept.compile();
    CHECK(std::count(plan2.env.begin(), plan2.env.end(), "NPM_CONFIG_FETCH_RETRIES=5") == 1);
    CHECK(std::count(plan2.env.begin(), plan2.env.end(), "npm_config_fetch_retries=0") == 0);
    // Allowlist keeps npm's retries: a real registry may fail transiently.
    auto allow = with_mode(NetMode::Allowlist).compile();
    CHECK(std::count(allow.env.begin(), allow.env.end(), "npm_config_fetch_retries=0") == 0);
}
