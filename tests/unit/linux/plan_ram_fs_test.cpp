// I6: the sandbox's RAM-backed filesystems (/tmp, holding {tmp}, and
// /dev/shm) always have a size, which --dry-run and explain show.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Sourced;

namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr std::uint64_t kGiB = 1ULL << 30;

const mxc::platform::RuleVerdict* size_verdict(const LinuxPlan& plan) {
    for (const auto& v : plan.verdicts) {
        if (v.rule == "tmpfs size /tmp, /dev/shm") return &v;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("limits.memory sizes the sandbox's /tmp and /dev/shm") {
    Scenario s;
    s.facts.ram_bytes = 16 * kGiB;
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{256 * kMiB, origin("p.toml", 7)};
    auto plan = s.compile();
    REQUIRE(find_mount(plan, "/tmp") != nullptr);
    REQUIRE(find_mount(plan, "/dev") != nullptr);
    CHECK(find_mount(plan, "/tmp")->size == 256 * kMiB);
    CHECK(find_mount(plan, "/dev")->size == 256 * kMiB);  // its /dev/shm
    const auto* v = size_verdict(plan);
    REQUIRE(v != nullptr);
    CHECK(v->origin == origin("p.toml", 7).describe());
    CHECK(v->mechanism.find("256 MiB each (limits.memory)") != std::string::npos);
    CHECK(format_plan(plan).find("tmpfs /tmp size=268435456") != std::string::npos);
    CHECK(format_plan(plan).find("dev /dev shm size=268435456") != std::string::npos);
}

TEST_CASE("without limits.memory the size is half of RAM, stated") {
    Scenario s;
    s.facts.ram_bytes = 8 * kGiB;
    auto plan = s.compile();
    CHECK(find_mount(plan, "/tmp")->size == 4 * kGiB);
    CHECK(find_mount(plan, "/dev")->size == 4 * kGiB);
    const auto* v = size_verdict(plan);
    REQUIRE(v != nullptr);
    CHECK(v->origin == "built-in default");
    CHECK(v->mechanism.find("half of RAM (8192 MiB)") != std::string::npos);
}

TEST_CASE("limits.memory above half of RAM never grows /tmp past the kernel's default") {
    Scenario s;
    s.facts.ram_bytes = 4 * kGiB;
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{8 * kGiB, origin("p.toml", 3)};
    auto plan = s.compile();
    CHECK(find_mount(plan, "/tmp")->size == 2 * kGiB);
    CHECK(size_verdict(plan)->mechanism.find("capped at half of RAM") != std::string::npos);
}

TEST_CASE("RAM unknown: limits.memory still sizes /tmp, with no limit the kernel default stays") {
    Scenario s;
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{64 * kMiB, origin("p.toml", 3)};
    CHECK(s.compile().mounts.size() > 0);
    CHECK(find_mount(s.compile(), "/tmp")->size == 64 * kMiB);
    Scenario bare;
    CHECK(find_mount(bare.compile(), "/tmp")->size == 0);
    CHECK(size_verdict(bare.compile()) == nullptr);
}

TEST_CASE("only /tmp and /dev carry a size, masks keep their own tiny tmpfs") {
    Scenario s;
    s.facts.ram_bytes = 8 * kGiB;
    s.rule("/usr", mxc::policy::Access::Read).rule("/home/u/.ssh", mxc::policy::Access::Deny);
    for (const auto& m : s.compile().mounts) {
        if (m.kind != MountKind::Tmp && m.kind != MountKind::Dev) CHECK(m.size == 0);
    }
}
