// Command-line flags merge as one more layer on top of the profile.
#include <doctest/doctest.h>

#include <algorithm>

#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::load;
using mxc::policy::testing::load_ok;
using mxc::policy::testing::rule_for;

namespace {
constexpr const char* kNone =
    "schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\n[network]\nmode = \"none\"\n";
}

TEST_CASE("--allow-read/--allow-write/--deny add path rules with the flag as origin") {
    CliOverrides cli;
    cli.allow_read = {"/data"};
    cli.allow_write = {"/scratch"};
    cli.deny = {"{workspace}/secrets"};
    auto p = load_ok(kNone, cli);
    CHECK(rule_for(p, "/data")->access == Access::Read);
    CHECK(rule_for(p, "/data")->origin.describe() == "flag --allow-read");
    CHECK(rule_for(p, "/scratch")->access == Access::Write);
    CHECK(rule_for(p, "/work/project/secrets")->access == Access::Deny);
    CHECK(rule_for(p, "/work/project/secrets")->origin.flag == "--deny");
}

TEST_CASE("relative CLI paths are relative to the current directory") {
    CliOverrides cli;
    cli.allow_read = {"../docs", "notes"};
    auto p = load_ok(kNone, cli);
    CHECK(rule_for(p, "/work/project/docs") != nullptr);
    CHECK(rule_for(p, "/work/project/sub/notes") != nullptr);
}

TEST_CASE("a CLI rule on the same path follows the same precedence") {
    CliOverrides cli;
    cli.allow_read = {"{workspace}"};
    auto p = load_ok(kNone, cli);
    CHECK(rule_for(p, "/work/project")->access == Access::Read);
    CliOverrides weaker;
    weaker.allow_write = {"/etc"};
    auto q = load_ok("schema = 1\n[filesystem]\nread = [\"/etc\"]\n", weaker);
    CHECK(rule_for(q, "/etc")->access == Access::Read);
}

TEST_CASE("--allow-net adds rules and turns mode none into allowlist") {
    CliOverrides cli;
    cli.allow_net = {"example.com:443"};
    auto p = load_ok(kNone, cli);
    CHECK(p.network.mode.value == NetMode::Allowlist);
    CHECK(p.network.mode.origin.flag == "--allow-net");
    REQUIRE(p.network.allow.size() == 1);
    CHECK(p.network.allow[0].value == "example.com:443");
}

TEST_CASE("--allow-net leaves mode host alone") {
    CliOverrides cli;
    cli.allow_net = {"example.com"};
    auto p = load_ok("schema = 1\n[network]\nmode = \"host\"\n", cli);
    CHECK(p.network.mode.value == NetMode::Host);
}

TEST_CASE("--net sets the mode") {
    CliOverrides cli;
    cli.net_mode = "host";
    auto p = load_ok(kNone, cli);
    CHECK(p.network.mode.value == NetMode::Host);
    CHECK(p.network.mode.origin.flag == "--net");
}

TEST_CASE("--net none together with --allow-net is refused") {
    CliOverrides cli;
    cli.net_mode = "none";
    cli.allow_net = {"example.com"};
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "flag --allow-net: error: --allow-net has no effect with --net none (drop one of the two flags)");
}

TEST_CASE("an invalid --net mode is refused") {
    CliOverrides cli;
    cli.net_mode = "open";
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "flag --net: error: invalid mode \"open\" (use none, allowlist or host)");
}

TEST_CASE("an invalid --allow-net rule is refused") {
    CliOverrides cli;
    cli.allow_net = {"http://x/"};
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("flag --allow-net: error: ") == 0);
}

TEST_CASE("--allow-net with a wildcard over a public suffix is refused like the same rule in a profile") {
    CliOverrides cli;
    cli.allow_net = {"*.co.uk"};
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("flag --allow-net: error: host rule \"*.co.uk\" covers the public suffix "
                                 "\"co.uk\"") == 0);
    cli.allow_net = {"*.example.co.uk"};
    CHECK(load(kNone, cli).ok());
}

TEST_CASE("--env NAME passes a variable, NAME=VALUE sets one verbatim") {
    CliOverrides cli;
    cli.env = {"FOO", "BAR=1=2", "EMPTY=", "X={tmp}"};
    auto p = load_ok(kNone, cli);
    REQUIRE(p.env.pass.size() == 1);
    CHECK(p.env.pass[0].value == "FOO");
    CHECK(p.env.pass[0].origin.flag == "--env");
    CHECK(p.env.set.at("BAR").value == "1=2");
    CHECK(p.env.set.at("EMPTY").value.empty());
    CHECK(p.env.set.at("X").value == "{tmp}");
}

TEST_CASE("--env overrides a profile's env.set value") {
    CliOverrides cli;
    cli.env = {"CI=false"};
    auto p = load_ok("schema = 1\n[env]\nset = { CI = \"true\" }\n", cli);
    CHECK(p.env.set.at("CI").value == "false");
    CHECK(p.env.set.at("CI").origin.flag == "--env");
}

TEST_CASE("an invalid --env name is refused") {
    CliOverrides cli;
    cli.env = {"1BAD=x"};
    CHECK_FALSE(load(kNone, cli));
}

TEST_CASE("--env NAME for a name [env].deny removes is refused, pointing at NAME=VALUE") {
    const char* profile = "schema = 1\n[env]\npass = [\"*\"]\ndeny = [\"*_TOKEN\"]\n";
    CliOverrides cli;
    cli.env = {"GITHUB_TOKEN"};
    auto r = load(profile, cli);
    REQUIRE_FALSE(r);
    const std::string& msg = r.error().message;
    CHECK(msg.find("flag --env: error: --env GITHUB_TOKEN passes nothing: [env].deny \"*_TOKEN\"") == 0);
    CHECK(msg.find(":4:") != std::string::npos);  // where the deny rule is
    CHECK(msg.find("--env GITHUB_TOKEN=\"$GITHUB_TOKEN\"") != std::string::npos);
    cli.env = {"GITHUB_TOKEN=t", "HOME", "*_TOKEN"};  // a set value, an allowed name, a glob
    CHECK(load_ok(profile, cli).env.set.at("GITHUB_TOKEN").value == "t");
}

TEST_CASE("--timeout overrides limits.wall_time") {
    CliOverrides cli;
    cli.timeout = "90s";
    auto p = load_ok("schema = 1\n[limits]\nwall_time = \"1h\"\n", cli);
    CHECK(p.limits.wall_time->value == std::chrono::seconds(90));
    CHECK(p.limits.wall_time->origin.flag == "--timeout");
}

TEST_CASE("an invalid --timeout is refused") {
    CliOverrides cli;
    cli.timeout = "90";
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("flag --timeout: error: duration \"90\" has no unit") == 0);
}

TEST_CASE("--memory overrides limits.memory") {
    CliOverrides cli;
    cli.memory = "512MiB";
    auto p = load_ok("schema = 1\n[limits]\nmemory = \"8GiB\"\n", cli);
    CHECK(p.limits.memory_bytes->value == 512ULL << 20);
    CHECK(p.limits.memory_bytes->origin.flag == "--memory");
}

TEST_CASE("--memory unlimited lifts the profile's limits.memory") {
    CliOverrides cli;
    cli.memory = "unlimited";
    auto p = load_ok("schema = 1\n[limits]\nmemory = \"8GiB\"\n", cli);
    CHECK_FALSE(p.limits.memory_bytes.has_value());
}

TEST_CASE("an invalid or zero --memory is refused") {
    for (const char* bad : {"lots", "0", "-1GiB"}) {
        CliOverrides cli;
        cli.memory = bad;
        auto r = load(kNone, cli);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("flag --memory: error:") == 0);
    }
}

TEST_CASE("--best-effort turns best-effort on") {
    CliOverrides cli;
    cli.best_effort = true;
    auto p = load_ok(kNone, cli);
    CHECK(p.best_effort.value);
    CHECK(p.best_effort.origin.flag == "--best-effort");
    CHECK_FALSE(load_ok(kNone).best_effort.value);
}

TEST_CASE("every invalid flag is reported, one per line") {
    CliOverrides cli;
    cli.timeout = "x";
    cli.net_mode = "y";
    cli.allow_read = {"{nope}"};
    auto r = load(kNone, cli);
    REQUIRE_FALSE(r);
    CHECK(std::count(r.error().message.begin(), r.error().message.end(), '\n') == 2);
}

TEST_CASE("a relative path in the resolve context is refused rather than guessed") {
    auto ctx = mxc::policy::testing::context();
    ctx.workspace = "project";
    CHECK_FALSE(load_policy_text("schema = 1\n", "/p/test.toml", {}, ctx));
}
