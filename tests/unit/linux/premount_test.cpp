// premount_fits (mounts.hpp): an early init's root tmpfs, /proc and /dev, mounted
// before the plan existed, are taken over only when the plan's ops would
// have built the same thing in the same order.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"
#include "platform/linux/apply/mounts.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Access;

TEST_CASE("premount: every compiled plan starts the way the premount does") {
    CHECK(premount_fits(Scenario().compile().mounts));
    CHECK(premount_fits(Scenario()
                            .rule("/usr", Access::Read)
                            .rule("/home/u/proj", Access::Write)
                            .rule("/etc", Access::Read)
                            .compile()
                            .mounts));
}

TEST_CASE("premount: a plan that covers the root before /proc does not fit") {
    // A read rule on "/" binds the host's root over the new root: /proc,
    // mounted after it by the plan, would be hidden under it if mounted first.
    auto plan = Scenario().rule("/", Access::Read).compile();
    bool binds_root = false;
    for (const auto& m : plan.mounts)
        binds_root = binds_root || (m.target == "/" && m.kind == MountKind::BindRo);
    REQUIRE(binds_root);
    CHECK_FALSE(premount_fits(plan.mounts));
}

TEST_CASE("premount: ops without the root first, without /proc or /dev, or with two do not fit") {
    const MountOp root{MountKind::RootTmpfs, "tmpfs", "/", true, ""};
    const MountOp dev{MountKind::Dev, "", "/dev", true, ""};
    const MountOp proc{MountKind::Proc, "proc", "/proc", true, ""};
    const MountOp usr{MountKind::BindRo, "/usr", "/usr", true, ""};
    CHECK(premount_fits({root, dev, proc, usr}));
    CHECK_FALSE(premount_fits({}));
    CHECK_FALSE(premount_fits({proc, root, dev, usr}));
    CHECK_FALSE(premount_fits({root, dev, usr}));
    CHECK_FALSE(premount_fits({root, proc, usr}));
    CHECK_FALSE(premount_fits({root, dev, proc, proc}));
    CHECK_FALSE(premount_fits({root, dev, dev, proc}));
    CHECK_FALSE(premount_fits({root, dev, MountOp{MountKind::Proc, "proc", "/other", true, ""}}));
    CHECK_FALSE(premount_fits({root, MountOp{MountKind::Dev, "", "/other", true, ""}, proc}));
    CHECK_FALSE(premount_fits({root, MountOp{MountKind::LearnView, "", "/", true, ""}, dev, proc}));
}

TEST_CASE("premount: nothing at or under /dev, and no new root, before the Dev op") {
    const MountOp root{MountKind::RootTmpfs, "tmpfs", "/", true, ""};
    const MountOp dev{MountKind::Dev, "", "/dev", true, ""};
    const MountOp proc{MountKind::Proc, "proc", "/proc", true, ""};
    const MountOp host_dev{MountKind::BindRo, "/dev", "/dev", true, ""};
    const MountOp host_null{MountKind::BindRw, "/dev/null", "/dev/null", false, ""};
    const MountOp host_root{MountKind::BindRo, "/", "/", true, ""};
    CHECK_FALSE(premount_fits({root, host_dev, dev, proc}));
    CHECK_FALSE(premount_fits({root, host_null, dev, proc}));
    CHECK_FALSE(premount_fits({root, host_root, dev, proc}));
    CHECK_FALSE(premount_fits({root, dev, host_root, proc}));
    // After both, as the plan itself would mount them: it fits.
    CHECK(premount_fits({root, dev, host_null, proc}));
    CHECK(premount_fits({root, dev, proc, host_root}));
}
