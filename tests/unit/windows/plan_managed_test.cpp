// The managed policy (issue 15, docs/managed.md) on Windows: it merges into
// the ResolvedPolicy before any compiler runs, so the Windows plan carries
// its denies and ceilings like the Linux one.
#include <doctest/doctest.h>

#include <memory>

#include "plan_fixtures.hpp"
#include "policy/managed.hpp"
#include "policy/policy.hpp"

using namespace mxc;
using namespace mxc::platform::win;

namespace {

const char* const kManagedWindows = R"(schema = 1
[filesystem]
deny = ["{home}/.ssh"]
[network]
allow = ["*.github.com"]
[limits]
memory = "8GiB"
)";

policy::ResolveContext windows_context() {
    policy::ResolveContext ctx;
    ctx.workspace = "C:\\work\\proj";
    ctx.home = "C:\\Users\\u";
    ctx.tmp = "C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run";
    ctx.cwd = "C:\\work\\proj";
    auto loaded = policy::load_managed_text(kManagedWindows, "C:\\ProgramData\\mxc\\managed.toml");
    REQUIRE(loaded.policy.has_value());
    ctx.managed = std::make_shared<policy::ManagedPolicy>(std::move(*loaded.policy));
    return ctx;
}

}  // namespace

TEST_CASE("windows plan: a managed deny beats the profile's write, limits are capped") {
    const char* profile = R"(schema = 1
[filesystem]
write = ["{workspace}", "{home}/.ssh"]
[network]
mode = "allowlist"
allow = ["api.github.com"]
[limits]
memory = "16GiB"
)";
    auto p = policy::load_policy_text(profile, "C:\\profiles\\p.toml", {}, windows_context());
    REQUIRE_MESSAGE(p, (p ? "" : p.error().message));
    auto plan = compile_windows_plan(*p, mxc::test::win::facts());
    bool ssh_denied = false;
    for (const auto& g : plan.acl) {
        if (g.path.find(".ssh") == std::string::npos) continue;
        CHECK(g.type == AceType::Deny);  // no allow ACE for the profile's write survives
        ssh_denied = ssh_denied || g.type == AceType::Deny;
    }
    CHECK(ssh_denied);
    CHECK(plan.job.job_memory_limit == (8ULL << 30));
}

TEST_CASE("windows plan: a profile rule outside the managed ceiling never reaches the compiler") {
    const char* profile = "schema = 1\n[network]\nmode = \"allowlist\"\nallow = [\"example.com\"]\n";
    auto p = policy::load_policy_text(profile, "C:\\profiles\\p.toml", {}, windows_context());
    REQUIRE_FALSE(p);
    CHECK(p.error().message.find(
              "C:\\profiles\\p.toml:4:10: error: [network].allow \"example.com\" is outside the "
              "managed ceiling (managed:C:\\ProgramData\\mxc\\managed.toml:5:1)") == 0);
}
