// I3: protected paths missing at launch are listed in the plan, so the run's
// creations there are removed afterwards and --dry-run / explain show it.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;

TEST_CASE("a missing read rule inside a write rule must stay absent") {
    auto plan = Scenario()
                    .rule("/home/u/.cargo", Access::Write, true, "/data/u/.cargo")
                    .missing("/home/u/.cargo/config.toml", Access::Read)
                    .compile();
    REQUIRE(plan.must_stay_absent.size() == 1);
    const auto& a = plan.must_stay_absent.front();
    CHECK(a.path == "/home/u/.cargo/config.toml");
    CHECK(a.root == "/data/u/.cargo");  // the write root as resolved at launch
    CHECK(a.rel == "config.toml");
    CHECK_FALSE(a.inside_git);
    CHECK(a.why.find("filesystem.read /home/u/.cargo/config.toml") != std::string::npos);
    CHECK(format_plan(plan).find("protected, missing at launch: /home/u/.cargo/config.toml") !=
          std::string::npos);
    bool shown = false;
    for (const auto& v : plan.verdicts) {
        if (v.rule == "filesystem.read /home/u/.cargo/config.toml")
            shown = v.mechanism.find("removed after the run if created") != std::string::npos;
    }
    CHECK(shown);
}

TEST_CASE("an existing protected path is a mount, not an absent path") {
    auto plan = Scenario()
                    .rule("/home/u/proj", Access::Write)
                    .rule("/home/u/proj/.git/hooks", Access::Read)
                    .compile();
    CHECK(plan.must_stay_absent.empty());
}

TEST_CASE("a missing path under a read or deny rule needs no watch: nothing can create it") {
    auto plan = Scenario()
                    .rule("/home/u/proj", Access::Write)
                    .rule("/home/u/proj/.git", Access::Read)
                    .missing("/home/u/proj/.git/hooks", Access::Read)
                    .rule("/home/u/proj/secret", Access::Deny)
                    .missing("/home/u/proj/secret/x", Access::Read)
                    .compile();
    CHECK(plan.must_stay_absent.empty());
}

TEST_CASE("a missing read rule outside every write rule, or under a missing one, is not watched") {
    auto plan = Scenario()
                    .missing("/home/u/.zshrc", Access::Read)
                    .missing("/home/u/.npm", Access::Write)
                    .missing("/home/u/.npm/_cacache/index", Access::Read)
                    .compile();
    CHECK(plan.must_stay_absent.empty());
}

TEST_CASE("a deeper missing path keeps its path below the write root") {
    auto plan = Scenario()
                    .rule("/home/u/proj", Access::Write)
                    .missing("/home/u/proj/.git/hooks", Access::Read)
                    .compile();
    REQUIRE(plan.must_stay_absent.size() == 1);
    CHECK(plan.must_stay_absent.front().rel == ".git/hooks");
    CHECK(plan.must_stay_absent.front().inside_git);
    CHECK(format_plan(plan).find("a repository the run creates is reported instead") != std::string::npos);
}
