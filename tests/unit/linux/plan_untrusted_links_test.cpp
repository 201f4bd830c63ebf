// I1: a rule never grants more than its literal path. A symlink that a
// sandboxed run could have planted (inside the workspace, a write rule, a
// built-in writable home directory or a shared temp dir) is never followed
// by the plan; a deny through one still masks what it leads to.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;

namespace {

Scenario workspace_scenario() {
    Scenario s;
    s.policy.workspace = "/home/u/proj";
    s.policy.home = "/home/u";
    s.rule("/usr", Access::Read).rule("/home/u/proj", Access::Write);
    return s;
}

bool applies_to(const LinuxPlan& plan, const std::string& target) {
    const bool mounted = find_mount(plan, target) != nullptr;
    return mounted || find_landlock(plan, target) != nullptr;
}

}  // namespace

TEST_CASE("a read rule through a link planted in the workspace applies to nothing") {
    auto s = workspace_scenario();
    s.rule("/home/u/proj/.git/hooks", Access::Read, true, "/")
        .via_link("/home/u/proj/.git/hooks", "/home/u/proj/.git/hooks", "/");
    auto plan = s.compile();
    for (const auto& m : plan.mounts) CHECK(m.source != "/");
    const auto warnings = verdicts_of(plan, Severity::Warning);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0]->rule == "filesystem.read /home/u/proj/.git/hooks");
    CHECK(warnings[0]->mechanism ==
          "not applied: passes through the untrusted symlink /home/u/proj/.git/hooks");
    CHECK(warnings[0]->reason.find("/home/u/proj/.git/hooks -> /") != std::string::npos);
    bool verdict_found = false;
    for (const auto& v : plan.verdicts) {
        if (v.rule == "filesystem.read /home/u/proj/.git/hooks") {
            verdict_found = true;
            CHECK(v.mechanism.find("not applied") != std::string::npos);
        }
    }
    CHECK(verdict_found);
}

TEST_CASE("a link in a parent component inside the workspace is untrusted too") {
    auto s = workspace_scenario();
    s.rule("/home/u/proj/.git/hooks", Access::Read, true, "/etc")
        .via_link("/home/u/proj/.git/hooks", "/home/u/proj/.git", "/");
    auto plan = s.compile();
    CHECK_FALSE(applies_to(plan, "/etc"));
    CHECK(verdicts_of(plan, Severity::Warning).size() == 1);
}

TEST_CASE("a write rule through a link in a built-in writable home directory applies to nothing") {
    // coding-agent may write ~/.cache; a link it left there must not make
    // build's write rule ~/.cache/ccache bind the whole home read-write.
    Scenario s;
    s.policy.workspace = "/home/u/proj";
    s.policy.home = "/home/u";
    s.rule("/home/u/proj", Access::Write)
        .rule("/home/u/.cache/ccache", Access::Write, true, "/home/u")
        .via_link("/home/u/.cache/ccache", "/home/u/.cache/ccache", "/home/u");
    auto plan = s.compile();
    CHECK_FALSE(applies_to(plan, "/home/u"));
    CHECK(verdicts_of(plan, Severity::Warning).size() == 1);
}

TEST_CASE("a link in a shared temp directory is untrusted") {
    Scenario s;
    s.rule("/var/tmp/cache", Access::Read, true, "/").via_link("/var/tmp/cache", "/var/tmp/cache", "/");
    auto plan = s.compile();
    for (const auto& m : plan.mounts) CHECK(m.source != "/");
    CHECK(verdicts_of(plan, Severity::Warning).size() == 1);
}

TEST_CASE("a link the system owns is followed and recreated") {
    Scenario s;
    s.policy.workspace = "/home/u/proj";
    s.rule("/bin", Access::Read, true, "/usr/bin", "usr/bin").via_link("/bin", "/bin", "usr/bin");
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/usr/bin") != nullptr);
    CHECK(find_mount(plan, "/usr/bin")->kind == MountKind::BindRo);
    REQUIRE(find_mount(plan, "/bin") != nullptr);
    CHECK(find_mount(plan, "/bin")->kind == MountKind::Symlink);
    CHECK(verdicts_of(plan, Severity::Warning).empty());
}

TEST_CASE("a link at the root of a writable area is the user's, not the run's") {
    // ~/.cache itself lives in ~, which no rule here makes writable.
    Scenario s;
    s.policy.workspace = "/home/u/proj";
    s.policy.home = "/home/u";
    s.rule("/home/u/.cache", Access::Write, true, "/data/cache")
        .via_link("/home/u/.cache", "/home/u/.cache", "/data/cache");
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/data/cache") != nullptr);
    CHECK(find_mount(plan, "/data/cache")->kind == MountKind::BindRw);
    CHECK(verdicts_of(plan, Severity::Warning).empty());
}

TEST_CASE("a link inside a writable area reached through a link is still untrusted") {
    // The workspace /home/u/proj is really /data/proj: links are recorded
    // where they physically live.
    Scenario s;
    s.policy.workspace = "/home/u/proj";
    s.rule("/home/u/proj", Access::Write, true, "/data/proj")
        .rule("/home/u/proj/vendor", Access::Read, true, "/")
        .via_link("/home/u/proj/vendor", "/data/proj/vendor", "/");
    auto plan = s.compile();
    for (const auto& m : plan.mounts) CHECK(m.source != "/");
    CHECK(verdicts_of(plan, Severity::Warning).size() == 1);
}

TEST_CASE("a deny through a planted link still masks its target") {
    auto s = workspace_scenario();
    s.rule("/home/u/secrets", Access::Read)
        .rule("/home/u/proj/.env", Access::Deny, false, "/home/u/secrets/app.env")
        .via_link("/home/u/proj/.env", "/home/u/proj/.env", "/home/u/secrets/app.env");
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/home/u/secrets/app.env") != nullptr);
    CHECK(find_mount(plan, "/home/u/secrets/app.env")->kind == MountKind::MaskFile);
    REQUIRE(verdicts_of(plan, Severity::Warning).size() == 1);
    CHECK(verdicts_of(plan, Severity::Warning)[0]->reason.find("is masked") != std::string::npos);
}
