// Issue 12 (works the first time): missing write-rule directories are
// created at launch (item 3), -w from elsewhere starts in the workspace
// (item 5), and [filesystem].missing governs only its own file's rules (item 8).
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;
using mxc::policy::MissingPaths;

namespace {
const mxc::platform::RuleVerdict* verdict_for(const LinuxPlan& plan, const std::string& rule) {
    for (const auto& v : plan.verdicts)
        if (v.rule == rule) return &v;
    return nullptr;
}
}  // namespace

TEST_CASE("a missing write-rule directory under home or the workspace is to be created") {
    Scenario s;
    s.policy.home = "/home/u";
    s.policy.workspace = "/home/u/proj";
    s.rule("/home/u/proj", Access::Write).missing("/home/u/.npm", Access::Write);
    s.missing("/home/u/proj/build/out", Access::Write);
    auto plan = s.compile();
    REQUIRE(plan.create_dirs.size() == 2);
    CHECK(plan.create_dirs[0].path == "/home/u/.npm");
    CHECK(plan.create_dirs[0].base == "/home/u");
    CHECK(plan.create_dirs[1].path == "/home/u/proj/build/out");
    CHECK(plan.create_dirs[1].base == "/home/u/proj");  // the deepest base
    CHECK(verdicts_of(plan, Severity::Fatal).empty());
    const auto* v = verdict_for(plan, "filesystem.write /home/u/.npm");
    REQUIRE(v != nullptr);
    CHECK(v->severity == Severity::Note);
    CHECK(v->mechanism.find("created at launch if missing") != std::string::npos);
    CHECK(format_plan(plan).find("note: filesystem.write /home/u/.npm (p.toml:2:1): created at launch if "
                                 "missing (mode 0700)") != std::string::npos);
}

TEST_CASE("read, deny, protected and out-of-home write rules are never created") {
    Scenario s;
    s.policy.home = "/home/u";
    s.policy.workspace = "/home/u/proj";
    s.missing("/home/u/.config/tool", Access::Read)
        .missing("/home/u/.ssh", Access::Deny)
        .missing("/opt/cache", Access::Write)
        .missing("/home/u", Access::Write);  // the home itself: not below it
    s.policy.paths.push_back({"/home/u/proj/.git", Access::Write, origin("p.toml", 9), true});
    s.facts.paths["/home/u/proj/.git"] = PathFact{};
    auto plan = s.compile();
    CHECK(plan.create_dirs.empty());
    s.policy.workspace = "/";  // mxc exec -w /: still only below the home
    CHECK(s.compile().create_dirs.empty());
}

TEST_CASE("missing = \"error\" does not fail a write rule that is created at launch") {
    Scenario s;
    s.policy.home = "/home/u";
    s.missing("/home/u/.npm", Access::Write);
    s.policy.paths.back().missing = {MissingPaths::Error, origin("p.toml", 1)};
    auto plan = s.compile();
    CHECK(verdicts_of(plan, Severity::Fatal).empty());
    CHECK(plan.create_dirs.size() == 1);
}

TEST_CASE("missing is per rule: only rules whose own file says \"error\" are fatal") {
    Scenario s;
    s.missing("/libx32", Access::Read);  // the parent's rule: ignore
    s.missing("/srv/data", Access::Read);
    s.policy.paths.back().missing = {MissingPaths::Error, origin("child.toml", 3)};
    s.policy.missing = {MissingPaths::Error, origin("child.toml", 3)};  // the merged (last) setting
    auto plan = s.compile();
    const auto fatal = verdicts_of(plan, Severity::Fatal);
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0]->rule == "filesystem.read /srv/data");
    CHECK(fatal[0]->reason.find("child.toml:3:1") != std::string::npos);
    const RuleVerdict* skipped = find_verdict(plan, Severity::Note, "filesystem.read /libx32");
    REQUIRE(skipped != nullptr);
    CHECK(skipped->reason == "skipped, does not exist");
}

TEST_CASE("-w from a directory the sandbox cannot see starts in the workspace") {
    Scenario s;
    s.rule("/usr", Access::Read).rule("/home/u/proj", Access::Write);
    s.facts.cwd = "/home/u/elsewhere";
    s.facts.cwd_fallback = "/home/u/proj";
    auto plan = s.compile();
    CHECK(plan.cwd == "/home/u/proj");
    CHECK(plan.cwd_note.find("/home/u/elsewhere is not visible") != std::string::npos);
    CHECK(format_plan(plan).find("note: working directory /home/u/elsewhere is not visible") !=
          std::string::npos);
}

TEST_CASE("a visible caller directory is kept, and without -w there is no fallback") {
    Scenario s;
    s.rule("/usr", Access::Read).rule("/home/u/proj", Access::Write);
    s.facts.cwd = "/usr/share";
    s.facts.cwd_fallback = "/home/u/proj";
    CHECK(s.compile().cwd == "/usr/share");
    CHECK(s.compile().cwd_note.empty());
    s.facts.cwd = "/home/u/elsewhere";
    s.facts.cwd_fallback.clear();
    CHECK(s.compile().cwd == "/home/u/elsewhere");  // fails at launch with its own message
}

TEST_CASE("a denied directory is not a visible working directory") {
    Scenario s;
    s.rule("/home/u/proj", Access::Write).rule("/home/u/proj/secret", Access::Deny);
    s.facts.cwd = "/home/u/proj/secret/x";
    s.facts.cwd_fallback = "/home/u/proj";
    CHECK(s.compile().cwd == "/home/u/proj");
}
