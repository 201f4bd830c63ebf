#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;
namespace ll = mxc::lnx::landlock_bits;

TEST_CASE("landlock handled rights grow with the ABI") {
    CHECK(landlock_fs_rights(0) == 0);
    CHECK((landlock_fs_rights(1) & ll::kRefer) == 0);
    CHECK((landlock_fs_rights(2) & ll::kRefer) != 0);
    CHECK((landlock_fs_rights(2) & ll::kTruncate) == 0);
    CHECK((landlock_fs_rights(3) & ll::kTruncate) != 0);
    CHECK((landlock_fs_rights(4) & ll::kIoctlDev) == 0);
    CHECK((landlock_fs_rights(5) & ll::kIoctlDev) != 0);
}

TEST_CASE("landlock mirrors read rules with read/execute rights") {
    auto plan = Scenario().rule("/usr", Access::Read).compile();
    REQUIRE(plan.landlock.enabled);
    const LandlockRule* r = find_landlock(plan, "/usr");
    REQUIRE(r != nullptr);
    CHECK(r->access == (ll::kExecute | ll::kReadFile | ll::kReadDir));
}

TEST_CASE("landlock grants write rules every handled right") {
    auto plan = Scenario().rule("/home/u/proj", Access::Write).compile();
    CHECK(find_landlock(plan, "/home/u/proj")->access == landlock_fs_rights(7));
}

TEST_CASE("landlock rules on files only carry file rights") {
    auto plan = Scenario().rule("/home/u/.gitconfig", Access::Read, false).compile();
    const LandlockRule* r = find_landlock(plan, "/home/u/.gitconfig");
    REQUIRE(r != nullptr);
    CHECK((r->access & ~ll::kFileOnly) == 0);
    CHECK((r->access & ll::kReadFile) != 0);
}

TEST_CASE("deny rules are never granted by landlock") {
    auto plan = Scenario().rule("/home/u/.ssh", Access::Deny).compile();
    CHECK(find_landlock(plan, "/home/u/.ssh") == nullptr);
}

TEST_CASE("a deny inside a granted directory is explained: landlock cannot carve it out") {
    auto plan = Scenario().rule("/home/u", Access::Read).rule("/home/u/.ssh", Access::Deny).compile();
    const RuleVerdict* note = find_verdict(plan, Severity::Note, "filesystem.deny /home/u/.ssh");
    REQUIRE(note != nullptr);
    CHECK(note->reason.find("landlock cannot carve") == 0);
    CHECK(find_mount(plan, "/home/u/.ssh")->kind == MountKind::MaskDir);
}

TEST_CASE("ABI 6 scopes abstract unix sockets and signals") {
    Scenario s;
    s.facts.landlock_abi = 6;
    const auto scoped = s.compile();
    CHECK(scoped.landlock.scoped == (ll::kScopeAbstractUnix | ll::kScopeSignal));
    CHECK(find_verdict(scoped, Severity::Caveat, "landlock scoping") == nullptr);
    s.facts.landlock_abi = 5;
    auto plan = s.compile();
    CHECK(plan.landlock.scoped == 0);
    const RuleVerdict* caveat = find_verdict(plan, Severity::Caveat, "landlock scoping");
    REQUIRE(caveat != nullptr);
    CHECK(caveat->reason.find("not scoped") != std::string::npos);
}

TEST_CASE("without landlock the launch is refused unless best effort") {
    Scenario s;
    s.facts.landlock_abi = 0;
    auto plan = s.compile();
    CHECK_FALSE(plan.landlock.enabled);
    const auto refusing = verdicts_of(plan, Severity::Unenforceable);
    REQUIRE(refusing.size() == 1);
    CHECK(refusing[0]->rule == "filesystem (second layer)");
    CHECK(refusing[0]->reason.find("--best-effort") != std::string::npos);
    CHECK(mxc::platform::refuses(plan.verdicts, false));
    CHECK_FALSE(mxc::platform::refuses(plan.verdicts, true));
}

TEST_CASE("the sandbox's own /dev /proc /tmp are granted") {
    auto plan = Scenario().compile();
    CHECK(find_landlock(plan, "/dev") != nullptr);
    CHECK((find_landlock(plan, "/dev")->access & ll::kTruncate) != 0);  // `> /dev/null`
    CHECK(find_landlock(plan, "/proc") != nullptr);
    CHECK(find_landlock(plan, "/tmp")->access == landlock_fs_rights(7));
}

TEST_CASE("the root is listable but nothing else is granted there") {
    auto plan = Scenario().compile();
    CHECK(find_landlock(plan, "/")->access == ll::kReadDir);
}

TEST_CASE("landlock rule access is masked to what the ABI handles") {
    Scenario s;
    s.facts.landlock_abi = 1;
    s.rule("/w", Access::Write);
    auto plan = s.compile();
    CHECK(find_landlock(plan, "/w")->access == landlock_fs_rights(1));
    CHECK((find_landlock(plan, "/dev")->access & ll::kTruncate) == 0);
}

TEST_CASE("describe_landlock_access names each right") {
    CHECK(describe_landlock_access(ll::kExecute | ll::kReadDir) == "execute,read_dir");
    CHECK(describe_landlock_access(0) == "none");
}

TEST_CASE("explain: a deny inside a granted directory says the mount mask alone hides it") {
    auto plan = Scenario().rule("/home/u", Access::Read).rule("/home/u/.ssh", Access::Deny).compile();
    const RuleVerdict* deny = find_verdict(plan, Severity::Enforced, "filesystem.deny /home/u/.ssh");
    REQUIRE(deny != nullptr);
    CHECK(deny->mechanism.find("landlock cannot carve") != std::string::npos);
}

TEST_CASE("explain: the landlock layer has its own verdict") {
    Scenario s;
    s.facts.landlock_abi = 0;
    bool found = false;
    for (const auto& v : s.compile().verdicts) {
        if (v.rule == "filesystem (second layer)") {
            found = true;
            CHECK_FALSE(v.enforceable());
            CHECK(v.severity == Severity::Unenforceable);
            CHECK(v.reason.find("kernel lacks Landlock") == 0);
        }
    }
    CHECK(found);
}
