#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;

TEST_CASE("the plan starts from an empty tmpfs root") {
    auto plan = Scenario().compile();
    REQUIRE_FALSE(plan.mounts.empty());
    CHECK(plan.mounts.front().kind == MountKind::RootTmpfs);
    CHECK(plan.mounts.front().target == "/");
}

TEST_CASE("read rules become read-only binds and write rules read-write binds") {
    auto plan = Scenario().rule("/usr", Access::Read).rule("/home/u/proj", Access::Write).compile();
    REQUIRE(find_mount(plan, "/usr") != nullptr);
    CHECK(find_mount(plan, "/usr")->kind == MountKind::BindRo);
    CHECK(find_mount(plan, "/usr")->source == "/usr");
    REQUIRE(find_mount(plan, "/home/u/proj") != nullptr);
    CHECK(find_mount(plan, "/home/u/proj")->kind == MountKind::BindRw);
}

TEST_CASE("deny on a directory is an empty tmpfs mask, on a file an empty file mask") {
    auto plan = Scenario()
                    .rule("/home/u", Access::Read)
                    .rule("/home/u/.ssh", Access::Deny)
                    .rule("/home/u/.netrc", Access::Deny, false)
                    .compile();
    CHECK(find_mount(plan, "/home/u/.ssh")->kind == MountKind::MaskDir);
    CHECK(find_mount(plan, "/home/u/.netrc")->kind == MountKind::MaskFile);
    CHECK_FALSE(find_mount(plan, "/home/u/.netrc")->is_dir);
}

TEST_CASE("parents are mounted before children so the most specific rule wins") {
    auto plan = Scenario()
                    .rule("/home/u/proj", Access::Write)
                    .rule("/home/u/proj/.git", Access::Read)
                    .rule("/home/u/proj/.env", Access::Deny, false)
                    .rule("/home/u", Access::Read)
                    .compile();
    const int home = mount_index(plan, "/home/u");
    const int proj = mount_index(plan, "/home/u/proj");
    const int git = mount_index(plan, "/home/u/proj/.git");
    const int env = mount_index(plan, "/home/u/proj/.env");
    REQUIRE(home > 0);
    CHECK(home < proj);
    CHECK(proj < git);
    CHECK(proj < env);
    CHECK(plan.mounts[static_cast<size_t>(git)].kind == MountKind::BindRo);
}

TEST_CASE("a deny inside a read rule is masked even though the parent is visible") {
    auto plan = Scenario().rule("/etc", Access::Read).rule("/etc/shadow", Access::Deny, false).compile();
    CHECK(mount_index(plan, "/etc") < mount_index(plan, "/etc/shadow"));
    CHECK(find_mount(plan, "/etc/shadow")->kind == MountKind::MaskFile);
}

TEST_CASE("a symlinked rule path applies to its resolved target and the link is recreated") {
    auto plan = Scenario()
                    .rule("/usr", Access::Read)
                    .rule("/bin", Access::Read, true, "/usr/bin", "usr/bin")
                    .compile();
    const MountOp* link = find_mount(plan, "/bin");
    REQUIRE(link != nullptr);
    CHECK(link->kind == MountKind::Symlink);
    CHECK(link->source == "usr/bin");
    // /usr/bin is already visible through the identical /usr bind.
    CHECK(find_mount(plan, "/usr/bin") == nullptr);
}

TEST_CASE("a symlink to elsewhere binds the target path, not the link path") {
    auto plan = Scenario().rule("/home/u/data", Access::Read, true, "/srv/data", "/srv/data").compile();
    REQUIRE(find_mount(plan, "/srv/data") != nullptr);
    CHECK(find_mount(plan, "/srv/data")->kind == MountKind::BindRo);
    CHECK(find_mount(plan, "/home/u/data")->kind == MountKind::Symlink);
}

TEST_CASE("two rules resolving to the same target merge with deny > read > write") {
    auto plan =
        Scenario().rule("/a", Access::Write, true, "/real").rule("/b", Access::Read, true, "/real").compile();
    CHECK(find_mount(plan, "/real")->kind == MountKind::BindRo);
    auto plan2 =
        Scenario().rule("/a", Access::Read, true, "/real").rule("/b", Access::Deny, true, "/real").compile();
    CHECK(find_mount(plan2, "/real")->kind == MountKind::MaskDir);
}

TEST_CASE("system mounts: fresh /proc, minimal /dev, private /tmp") {
    auto plan = Scenario().compile();
    CHECK(find_mount(plan, "/proc")->kind == MountKind::Proc);
    CHECK(find_mount(plan, "/dev")->kind == MountKind::Dev);
    CHECK(find_mount(plan, "/tmp")->kind == MountKind::Tmp);
}

TEST_CASE("a rule on /tmp itself is superseded by the private /tmp") {
    auto plan = Scenario().rule("/tmp", Access::Write).compile();
    CHECK(find_mount(plan, "/tmp")->kind == MountKind::Tmp);
    const RuleVerdict* note = find_verdict(plan, Severity::Note, "filesystem.write /tmp");
    REQUIRE(note != nullptr);
    CHECK(note->reason == "superseded by the sandbox's own /tmp");
}

TEST_CASE("rules below /tmp are bound after the private /tmp") {
    auto plan = Scenario().rule("/tmp/ws", Access::Write).compile();
    CHECK(mount_index(plan, "/tmp") < mount_index(plan, "/tmp/ws"));
    CHECK(find_mount(plan, "/tmp/ws")->kind == MountKind::BindRw);
}

TEST_CASE("a read rule on / is bound first and the system mounts go on top") {
    auto plan = Scenario().rule("/", Access::Read).compile();
    CHECK(plan.mounts[1].target == "/");
    CHECK(plan.mounts[1].kind == MountKind::BindRo);
    CHECK(mount_index(plan, "/proc") > 1);
}

TEST_CASE("{tmp} is realised inside the sandbox and never looked up on the host") {
    Scenario s;
    s.policy.paths.push_back(
        {"/tmp/mxc-s1", Access::Write, origin("p.toml", 9)});  // no PathFact: not on host
    auto plan = s.compile();
    const MountOp* tmp = find_mount(plan, "/tmp/mxc-s1");
    REQUIRE(tmp != nullptr);
    CHECK(tmp->kind == MountKind::TmpDir);
    CHECK(mount_index(plan, "/tmp") < mount_index(plan, "/tmp/mxc-s1"));
    CHECK(verdicts_of(plan, Severity::Fatal).empty());
}

TEST_CASE("{tmp} outside /tmp inside a host bind is refused: it would write to the host") {
    Scenario s;
    s.policy.tmp = "/home/u/proj/tmp-x";
    s.rule("/home/u/proj", Access::Write);
    auto plan = s.compile();
    const auto fatal = verdicts_of(plan, Severity::Fatal);
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0]->rule == "{tmp} /home/u/proj/tmp-x");
}

TEST_CASE("missing paths are skipped with missing = ignore") {
    auto plan = Scenario().missing("/opt/nothing", Access::Read).compile();
    CHECK(find_mount(plan, "/opt/nothing") == nullptr);
    CHECK(verdicts_of(plan, Severity::Fatal).empty());
    const RuleVerdict* note = find_verdict(plan, Severity::Note, "filesystem.read /opt/nothing");
    REQUIRE(note != nullptr);
    CHECK(note->reason == "skipped, does not exist");
}

TEST_CASE("missing paths are fatal with missing = error, naming the rule and its origin") {
    Scenario s;
    s.missing("/opt/nothing", Access::Read);
    s.policy.paths.back().missing = {mxc::policy::MissingPaths::Error, origin("p.toml", 3)};
    auto plan = s.compile();
    const auto fatal = verdicts_of(plan, Severity::Fatal);
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0]->rule == "filesystem.read /opt/nothing");
    CHECK(fatal[0]->origin == "p.toml:1:1");
    CHECK(fatal[0]->reason == "path does not exist (missing = \"error\" at p.toml:3:1)");
    CHECK(mxc::platform::refuses(plan.verdicts, true));
}

TEST_CASE("a bind inside a different kind of bind is kept") {
    auto plan = Scenario().rule("/home/u", Access::Read).rule("/home/u/proj", Access::Write).compile();
    CHECK(find_mount(plan, "/home/u/proj") != nullptr);
}

TEST_CASE("a bind below a deny inside an identical bind is kept") {
    auto plan = Scenario()
                    .rule("/srv", Access::Read)
                    .rule("/srv/secret", Access::Deny)
                    .rule("/srv/secret/pub", Access::Read)
                    .compile();
    CHECK(find_mount(plan, "/srv/secret/pub") != nullptr);
}

TEST_CASE("a rule covered by an identical enclosing rule needs no mount and no landlock rule") {
    auto plan = Scenario().rule("/usr", Access::Read).rule("/usr/share", Access::Read).compile();
    CHECK(find_mount(plan, "/usr/share") == nullptr);
    CHECK(find_landlock(plan, "/usr/share") == nullptr);
    CHECK(find_landlock(plan, "/usr") != nullptr);
}

TEST_CASE("the caller's terminal is carried into the /dev mount as its console") {
    Scenario s;
    s.facts.terminal = "/dev/pts/3";
    CHECK(find_mount(s.compile(), "/dev")->source == "/dev/pts/3");
    CHECK(find_mount(Scenario().compile(), "/dev")->source.empty());
}

TEST_CASE("a protected .git directory is pinned as its own read-write mount") {
    Scenario s;
    s.rule("/home/u/proj", Access::Write);
    s.policy.paths.push_back({"/home/u/proj/.git", Access::Write, origin("protected", 0), true});
    s.facts.paths["/home/u/proj/.git"] = PathFact{true, "/home/u/proj/.git", true, "", {}};
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/home/u/proj/.git") != nullptr);
    CHECK(find_mount(plan, "/home/u/proj/.git")->kind == MountKind::BindRw);
}

TEST_CASE("a protected .git that is a gitdir file stays read-only") {
    Scenario s;
    s.rule("/home/u/proj", Access::Write);
    s.policy.paths.push_back({"/home/u/proj/.git", Access::Write, origin("protected", 0), true});
    s.facts.paths["/home/u/proj/.git"] = PathFact{true, "/home/u/proj/.git", false, "", {}};
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/home/u/proj/.git") != nullptr);
    CHECK(find_mount(plan, "/home/u/proj/.git")->kind == MountKind::BindRo);
}

TEST_CASE("a missing protected name is no error even with missing = error") {
    Scenario s;
    s.policy.missing.value = mxc::policy::MissingPaths::Error;
    s.rule("/home/u/proj", Access::Write);
    s.policy.paths.push_back({"/home/u/proj/.envrc", Access::Read, origin("protected", 0), true});
    s.policy.paths.back().missing.value = mxc::policy::MissingPaths::Error;
    s.facts.paths["/home/u/proj/.envrc"] = PathFact{};
    auto plan = s.compile();
    CHECK(verdicts_of(plan, Severity::Fatal).empty());
}
