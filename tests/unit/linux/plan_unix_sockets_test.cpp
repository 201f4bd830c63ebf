// [network].unix in the Linux plan (issue 11, item 4): one broker rule per
// entry with its origin, and a verdict that says when nothing is brokered.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"
#include "platform/linux/plan/plan_unix_sockets.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::NetMode;

namespace {

mxc::policy::ResolvedPolicy with_sockets(NetMode mode) {
    mxc::policy::ResolvedPolicy p;
    p.name = "agent";
    p.network.mode = {mode, origin("p.toml", 2)};
    p.network.unix_sockets.push_back({"/var/run/docker.sock", origin("p.toml", 3)});
    p.network.unix_sockets.push_back({"/home/u/.ssh/agent", mxc::policy::Origin{{}, 0, 0, "--allow-unix"}});
    return p;
}

}  // namespace

TEST_CASE("each [network].unix entry becomes a broker rule carrying its text and origin, in order") {
    auto rules = compile_unix_sockets(with_sockets(NetMode::Allowlist));
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].path == "/var/run/docker.sock");
    CHECK(rules[0].why == "network.unix /var/run/docker.sock (p.toml:3:1)");
    CHECK(rules[1].path == "/home/u/.ssh/agent");
    CHECK(rules[1].why == "network.unix /home/u/.ssh/agent (flag --allow-unix)");
    CHECK(compile_unix_sockets(mxc::policy::ResolvedPolicy{}).empty());
}

TEST_CASE("verdicts: brokered with an own namespace, not brokered with the host's network") {
    for (NetMode mode : {NetMode::None, NetMode::Allowlist}) {
        auto v = unix_socket_verdicts(with_sockets(mode));
        REQUIRE(v.size() == 2);
        CHECK(v[0].rule == "network.unix /var/run/docker.sock");
        CHECK(v[0].origin == "p.toml:3:1");
        CHECK(v[0].severity == mxc::platform::Severity::Enforced);
        CHECK(v[0].mechanism.find("brokered by the supervisor") != std::string::npos);
    }
    auto host = unix_socket_verdicts(with_sockets(NetMode::Host));
    REQUIRE(host.size() == 2);
    CHECK(host[1].severity == mxc::platform::Severity::Note);
    CHECK(host[1].reason.find("not brokered with network.mode host") == 0);
}

TEST_CASE("compile_plan lists the unix socket verdicts for explain and --dry-run") {
    Scenario s;
    s.policy = with_sockets(NetMode::None);
    s.policy.tmp = "/tmp/mxc-s1";
    auto plan = s.compile();
    bool found = false;
    for (const auto& v : plan.verdicts) found = found || v.rule == "network.unix /var/run/docker.sock";
    CHECK(found);
}

TEST_CASE("a rule through a trusted host symlink also allows its resolved path") {
    Scenario s;
    s.policy = with_sockets(NetMode::None);
    s.policy.tmp = "/tmp/mxc-s1";
    s.facts.paths["/var/run/docker.sock"] = PathFact{true, "/run/docker.sock", false, "", {}};
    s.via_link("/var/run/docker.sock", "/var/run", "../run");
    std::vector<mxc::platform::RuleVerdict> warnings;
    auto rules = compile_unix_sockets(s.policy, s.facts, warnings);
    REQUIRE(rules.size() == 3);
    CHECK(rules[2].path == "/run/docker.sock");
    CHECK(rules[2].why == "network.unix /var/run/docker.sock (p.toml:3:1), resolved on the host");
    CHECK(warnings.empty());
}

TEST_CASE("a rule through a symlink in a writable area keeps only its written path, with a warning") {
    Scenario s;
    s.policy = with_sockets(NetMode::None);
    s.policy.workspace = "/home/u/proj";
    s.policy.network.unix_sockets.push_back({"/home/u/proj/run/db.sock", origin("p.toml", 4)});
    // The sandbox planted proj/run -> /var/run in an earlier run.
    s.facts.paths["/home/u/proj/run/db.sock"] = PathFact{true, "/var/run/db.sock", false, "", {}};
    s.via_link("/home/u/proj/run/db.sock", "/home/u/proj/run", "/var/run");
    std::vector<mxc::platform::RuleVerdict> warnings;
    auto rules = compile_unix_sockets(s.policy, s.facts, warnings);
    REQUIRE(rules.size() == 3);  // the two of with_sockets and the written path, no alias
    for (const auto& r : rules) CHECK(r.path != "/var/run/db.sock");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].severity == mxc::platform::Severity::Caveat);
    CHECK(warnings[0].rule == "network.unix /home/u/proj/run/db.sock");
    CHECK(warnings[0].origin == "p.toml:4:1");
    CHECK(warnings[0].reason.find("passes through the symlink /home/u/proj/run -> /var/run") == 0);
}

TEST_CASE("rules without links, missing paths and repeated resolutions add nothing") {
    Scenario s;
    s.policy = with_sockets(NetMode::None);
    s.policy.network.unix_sockets.push_back({"/run/docker.sock", origin("p.toml", 5)});
    s.facts.paths["/var/run/docker.sock"] = PathFact{true, "/run/docker.sock", false, "", {}};
    s.via_link("/var/run/docker.sock", "/var/run", "../run");
    s.facts.paths["/run/docker.sock"] = PathFact{true, "/run/docker.sock", false, "", {}};
    std::vector<mxc::platform::RuleVerdict> warnings;
    auto rules = compile_unix_sockets(s.policy, s.facts, warnings);
    CHECK(rules.size() == 3);  // /run/docker.sock already a rule of its own
    CHECK(warnings.empty());
}

TEST_CASE("a socket not there yet is resolved through its directory") {
    Scenario s;
    s.policy = with_sockets(NetMode::None);
    s.facts.paths["/var/run"] = PathFact{true, "/run", true, "../run", {}};
    s.via_link("/var/run", "/var/run", "../run");
    std::vector<mxc::platform::RuleVerdict> warnings;
    auto rules = compile_unix_sockets(s.policy, s.facts, warnings);
    REQUIRE(rules.size() == 3);
    CHECK(rules[2].path == "/run/docker.sock");
}
