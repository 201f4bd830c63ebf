// Every key of schema 1 written in a profile arrives in the ResolvedPolicy
// with its value and the position it was written at.
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

#include "policy_testing.hpp"

using namespace mxc::policy;
using namespace std::chrono_literals;
using mxc::policy::testing::context;
using mxc::policy::testing::rule_for;

namespace {

const std::string kFull = std::string(MXC_TEST_DATA_DIR) + "/valid/full.toml";

ResolvedPolicy full() {
    auto r = load_policy(kFull, {}, context());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return std::move(r).value();
}

std::string at(const Origin& o) {
    return std::to_string(o.line) + ":" + std::to_string(o.col);
}

}  // namespace

TEST_CASE("top-level keys round-trip") {
    auto p = full();
    CHECK(p.name == "full");
    CHECK(p.description == "all keys");
    CHECK(p.source == kFull);
    CHECK(p.chain == std::vector<std::string>{kFull});
    CHECK(p.agent_id == "claude-code");
    CHECK_FALSE(p.best_effort.value);
    CHECK(at(p.best_effort.origin) == "5:15");
    CHECK(mxc::policy::chain_sha256(p).size() == 64);
}

TEST_CASE("filesystem rules round-trip with expanded paths and positions") {
    auto p = full();
    // Plus the protected names under each write rule (protected_names_test).
    REQUIRE(std::count_if(p.paths.begin(), p.paths.end(), [](const PathRule& r) { return !r.protect; }) == 7);
    CHECK(rule_for(p, "/usr")->access == Access::Read);
    CHECK(at(rule_for(p, "/usr")->origin) == "11:9");
    CHECK(rule_for(p, "/home/alice/.gitconfig")->access == Access::Read);
    CHECK(rule_for(p, "/work/project/.git")->access == Access::Read);
    CHECK(rule_for(p, "/work/project")->access == Access::Write);
    CHECK(rule_for(p, "/tmp/mxc-run")->access == Access::Write);
    CHECK(rule_for(p, "/home/alice/.ssh")->access == Access::Deny);
    CHECK(rule_for(p, "/work/project/.env")->access == Access::Deny);
    CHECK(p.missing.value == MissingPaths::Ignore);
    CHECK(at(p.missing.origin) == "14:11");
}

TEST_CASE("network settings round-trip") {
    auto p = full();
    CHECK(p.network.mode.value == NetMode::Allowlist);
    CHECK(at(p.network.mode.origin) == "17:8");
    REQUIRE(p.network.allow.size() == 5);
    CHECK(p.network.allow[4].value == "[::1]:8080");
    REQUIRE(p.network.deny.size() == 1);
    CHECK(p.network.deny[0].value == "gist.github.com");
}

TEST_CASE("env settings round-trip, set values expanded") {
    auto p = full();
    CHECK(p.env.pass.size() == 5);
    CHECK(p.env.deny.size() == 3);
    CHECK(p.env.set.at("CI").value == "true");
    CHECK(p.env.set.at("OUT").value == "/tmp/mxc-run/out");
}

TEST_CASE("limits round-trip in bytes and milliseconds") {
    auto p = full();
    CHECK(p.limits.memory_bytes->value == 4ULL << 30);
    CHECK(p.limits.processes->value == 512);
    CHECK(p.limits.open_files->value == 4096);
    CHECK(p.limits.cpu_time->value == 1h);
    CHECK(p.limits.wall_time->value == 30min);
    CHECK(p.limits.file_size_bytes->value == 2ULL << 30);
    CHECK(at(p.limits.memory_bytes->origin) == "27:10");
}

TEST_CASE("windows and seccomp settings round-trip") {
    auto p = full();
    CHECK(p.windows.isolation.value == WindowsIsolation::AppContainer);
    CHECK(p.windows.desktop.value == WindowsDesktop::Private);
    CHECK_FALSE(p.windows.clipboard.value);
    REQUIRE(p.seccomp.allow.size() == 1);
    CHECK(p.seccomp.allow[0].value == "ptrace");
}

TEST_CASE("unset keys keep the documented defaults") {
    auto p = mxc::policy::testing::load_ok("schema = 1\n");
    CHECK(p.paths.empty());
    CHECK(p.network.mode.value == NetMode::None);
    CHECK(p.missing.value == MissingPaths::Ignore);
    CHECK_FALSE(p.limits.memory_bytes.has_value());
    CHECK(p.windows.isolation.value == WindowsIsolation::AppContainer);
    CHECK(p.windows.desktop.value == WindowsDesktop::Shared);
    CHECK_FALSE(p.best_effort.value);
    CHECK(p.name == "test");
}

TEST_CASE("a size may be written as an integer number of bytes") {
    auto p = mxc::policy::testing::load_ok("schema = 1\n[limits]\nmemory = 1048576\n");
    CHECK(p.limits.memory_bytes->value == 1048576);
}

TEST_CASE("the embedded built-ins are the policies/ files byte for byte") {
    for (const auto& b : builtin_profiles()) {
        CAPTURE(b.name);
        std::ifstream in(
            std::filesystem::path(MXC_TEST_DATA_DIR) / ".." / ".." / "policies" / (b.name + ".toml"),
            std::ios::binary);
        std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        CHECK(text == b.toml);
    }
}

TEST_CASE("[audit] round-trips with its position") {
    auto p = full();
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::Syslog);
    CHECK(at(p.audit->sink.origin) == "43:8");
    CHECK_FALSE(p.audit->path);
}
