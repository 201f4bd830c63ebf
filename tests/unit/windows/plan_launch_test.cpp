// What the Windows applier only carries out: the child's extra environment,
// the refusal for a missing path, and the exit status of a failed launch are
// decided by the plan.
#include <doctest/doctest.h>

#include <algorithm>

#include "common/exit_codes.hpp"
#include "plan_fixtures.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::add_path;
using mxc::test::win::base_policy;
using mxc::test::win::facts;

TEST_CASE("the plan sets MXC_SESSION_ID and points TEMP and TMP at {tmp} with backslashes") {
    auto p = base_policy();
    p.tmp = "C:/Users/u/AppData/Local/Temp/mxc-run";
    auto f = facts();
    auto plan = compile_windows_plan(p, f);
    CHECK(plan.child_env.at("MXC_SESSION_ID") == f.run_id);
    CHECK(plan.child_env.at("TEMP") == "C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run");
    CHECK(plan.child_env.at("TMP") == plan.child_env.at("TEMP"));

    f.session_id = "session-42";
    CHECK(compile_windows_plan(p, f).child_env.at("MXC_SESSION_ID") == "session-42");

    p.tmp.clear();
    CHECK(compile_windows_plan(p, facts()).child_env.count("TEMP") == 0);
}

TEST_CASE("the child's environment carries the proxy variables when the plan has a proxy") {
    auto p = base_policy();
    p.network.mode.value = policy::NetMode::Allowlist;
    p.network.allow.push_back(policy::host_rule_entry("github.com"));
    auto f = facts();
    f.proxy_port = 41000;
    auto plan = compile_windows_plan(p, f);
    REQUIRE_FALSE(plan.proxy_env.empty());
    for (const auto& [name, value] : plan.proxy_env) CHECK(plan.child_env.at(name) == value);
}

TEST_CASE("a grant on a missing path is refused with the rule named only when missing = error") {
    auto p = base_policy();
    add_path(p, "C:\\data\\in", policy::Access::Read, 7);
    auto skipped = compile_windows_plan(p, facts());
    REQUIRE_FALSE(skipped.acl.empty());
    CHECK(std::all_of(skipped.acl.begin(), skipped.acl.end(),
                      [](const AclGrant& g) { return g.missing_refusal.empty(); }));

    for (auto& r : p.paths) r.missing = {policy::MissingPaths::Error, {}};
    auto refused = compile_windows_plan(p, facts());
    auto g = std::find_if(refused.acl.begin(), refused.acl.end(),
                          [](const AclGrant& a) { return a.rule_path == "C:\\data\\in"; });
    REQUIRE(g != refused.acl.end());
    CHECK(g->missing_refusal ==
          "filesystem.read C:\\data\\in (C:\\profiles\\p.toml:7:1): path does not exist (set "
          "[filesystem].missing = \"ignore\" to skip it)");
}

TEST_CASE("a failed CreateProcess maps to 127, 126 or 125") {
    CHECK(launch_failure_exit_code(2) == exit_code::kNotFound);         // ERROR_FILE_NOT_FOUND
    CHECK(launch_failure_exit_code(3) == exit_code::kNotFound);         // ERROR_PATH_NOT_FOUND
    CHECK(launch_failure_exit_code(5) == exit_code::kNotExecutable);    // ERROR_ACCESS_DENIED
    CHECK(launch_failure_exit_code(193) == exit_code::kNotExecutable);  // ERROR_BAD_EXE_FORMAT
    CHECK(launch_failure_exit_code(1450) == exit_code::kMxcFailure);    // ERROR_NO_SYSTEM_RESOURCES
}
