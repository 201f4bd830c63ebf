// compile_learning and the mountinfo parser (issue 13): the learning plan is
// the base plan plus the view, without Landlock.
#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixture.hpp"
#include "platform/linux/plan/mountinfo.hpp"

using namespace mxc;
using namespace mxc::lnx;
using namespace mxc::lnx::test;
using policy::Access;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("mountinfo: mount points decoded, filesystem types after the separator") {
    const std::string text =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "28 27 0:25 / /mnt/with\\040space ro,nosuid shared:5 master:2 - tmpfs none ro\n"
        "garbage line\n"
        "40 27 0:40 / /home rw - btrfs /dev/vdb rw";
    const auto mounts = parse_mountinfo(text);
    REQUIRE(mounts.size() == 4);
    CHECK(mounts[0].target == "/proc");
    CHECK(mounts[0].fstype == "proc");
    CHECK(mounts[1].target == "/");
    CHECK(mounts[2].target == "/mnt/with space");
    CHECK(mounts[2].fstype == "tmpfs");
    CHECK(mounts[3].target == "/home");
    CHECK(mounts[3].fstype == "btrfs");
}

TEST_CASE("learning plan: the view right after the root, base mounts kept, no Landlock") {
    Scenario s;
    s.policy.home = "/home/u";
    s.policy.workspace = "/home/u/proj";
    s.rule("/usr", Access::Read).rule("/home/u/proj", Access::Write).rule("/home/u/.ssh", Access::Deny);
    s.facts.host_mounts = {{"/", "ext4"},      {"/proc", "proc"},
                           {"/sys", "sysfs"},  {"/sys/fs/cgroup", "cgroup2"},
                           {"/home", "btrfs"}, {"/mnt/auto", "autofs"}};
    LinuxPlan plan = s.compile();
    REQUIRE(plan.landlock.enabled);
    compile_learning(s.policy, s.facts, false, plan);
    REQUIRE(plan.learning);
    CHECK_FALSE(plan.landlock.enabled);
    CHECK(find_verdict(plan, Severity::Enforced, "filesystem (second layer)") == nullptr);
    const RuleVerdict* no_landlock = find_verdict(plan, Severity::Caveat, "filesystem (second layer)");
    REQUIRE(no_landlock != nullptr);
    CHECK(no_landlock->reason.find("no Landlock layer") != std::string::npos);
    REQUIRE(plan.mounts.size() >= 2);
    CHECK(plan.mounts[0].kind == MountKind::RootTmpfs);
    CHECK(plan.mounts[1].kind == MountKind::LearnView);
    // The base profile's mounts stay: write rules real, deny rules masked.
    const MountOp* ws = find_mount(plan, "/home/u/proj");
    REQUIRE(ws != nullptr);
    CHECK(ws->kind == MountKind::BindRw);
    const MountOp* ssh = find_mount(plan, "/home/u/.ssh");
    REQUIRE(ssh != nullptr);
    CHECK(ssh->kind == MountKind::MaskDir);
    CHECK(mount_index(plan, "/home/u/.ssh") > 1);
    // Hidden: what the sandbox mounts itself, and kernel filesystems.
    const auto& l = *plan.learning;
    CHECK(has(l.hidden, "/proc"));
    CHECK(has(l.hidden, "/sys"));
    CHECK(has(l.hidden, "/dev"));
    CHECK(has(l.hidden, "/tmp"));
    CHECK(has(l.hidden, "/mnt/auto"));
    CHECK_FALSE(has(l.hidden, "/home"));
    CHECK_FALSE(has(l.hidden, "/sys/fs/cgroup"));  // already under /sys
    CHECK(has(l.mount_points, "/home"));
    CHECK(has(l.split_points, "/home/u"));
    CHECK(has(l.split_points, "/var/tmp"));
    CHECK_FALSE(l.allow_everything);  // network = "none": nothing to allow without the flag
    const MountOp* tmp = find_mount(plan, "/tmp");
    REQUIRE(tmp != nullptr);
    CHECK(l.layer_size == tmp->size);  // the layers are bounded like /tmp
}

TEST_CASE("learning plan: --allow-net-learning only with the allowlist machinery") {
    Scenario s;
    s.policy.network.mode.value = policy::NetMode::Allowlist;
    LinuxPlan plan = s.compile();
    REQUIRE(plan.proxy);
    compile_learning(s.policy, s.facts, true, plan);
    CHECK(plan.learning->allow_everything);
    const RuleVerdict* every = find_verdict(plan, Severity::Caveat, "learning mode");
    REQUIRE(every != nullptr);
    CHECK(every->reason == "every destination allowed");

    Scenario host;
    host.policy.network.mode.value = policy::NetMode::Host;
    LinuxPlan open = host.compile();
    compile_learning(host.policy, host.facts, true, open);
    CHECK_FALSE(open.learning->allow_everything);
}

TEST_CASE("learning plan: the dry-run text says what learning changes") {
    Scenario s;
    LinuxPlan plan = s.compile();
    compile_learning(s.policy, s.facts, false, plan);
    const std::string text = format_plan(plan);
    CHECK(text.find("learning: every host directory") != std::string::npos);
    CHECK(text.find("learn-view /") != std::string::npos);
    CHECK(text.find("landlock: not used") != std::string::npos);
}
