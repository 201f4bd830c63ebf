#include <doctest/doctest.h>
#include <sys/resource.h>

#include "plan_fixture.hpp"

using namespace mxc::lnx;
using namespace mxc::lnx::test;
using mxc::policy::Sourced;

namespace {
const RlimitSetting* find_rlimit(const LinuxPlan& plan, int resource) {
    for (const auto& r : plan.rlimits) {
        if (r.resource == resource) return &r;
    }
    return nullptr;
}
}  // namespace

TEST_CASE("core dumps are always disabled") {
    auto plan = Scenario().compile();
    REQUIRE(find_rlimit(plan, RLIMIT_CORE) != nullptr);
    CHECK(find_rlimit(plan, RLIMIT_CORE)->value == 0);
}

TEST_CASE("processes become RLIMIT_NPROC with one extra for the sandbox init") {
    Scenario s;
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    auto plan = s.compile();
    CHECK(find_rlimit(plan, RLIMIT_NPROC)->value == 11);
    CHECK(verdicts_of(plan, Severity::Caveat).empty() == (plan.landlock.scoped != 0));
    CHECK(verdicts_of(plan, Severity::Unenforceable).empty());
    bool explained = false;
    for (const auto& v : plan.verdicts) explained |= v.mechanism.find("RLIMIT_NPROC, counted") == 0;
    CHECK(explained);
}

TEST_CASE("for host root without a usable pids cgroup, limits.processes is unenforceable") {
    Scenario s;
    s.facts.uid = 0;
    s.facts.pids_cgroup.reason = "no cgroup v1 pids hierarchy";
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    auto plan = s.compile();
    const auto refusing = verdicts_of(plan, Severity::Unenforceable);
    REQUIRE(refusing.size() == 1);
    CHECK(refusing[0]->rule == "limits.processes 10");
    CHECK(refusing[0]->origin == "p.toml:4:1");
    CHECK(refusing[0]->reason.find(
              "root is exempt from RLIMIT_NPROC and no pids cgroup is writable (no cgroup v1 pids") == 0);
    CHECK(refusing[0]->reason.find("pass --best-effort") != std::string::npos);
    CHECK(find_rlimit(plan, RLIMIT_NPROC) == nullptr);
    CHECK(mxc::platform::refuses(plan.verdicts, false));
}

TEST_CASE("for host root, limits.processes uses the cgroup v1 pids hierarchy on hybrid hosts") {
    Scenario s;
    s.facts.uid = 0;
    s.facts.pids_cgroup = PidsCgroupFacts{"", "/sys/fs/cgroup/pids", "pids cgroup v1 in /sys/fs/cgroup/pids"};
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    auto plan = s.compile();
    CHECK(verdicts_of(plan, Severity::Unenforceable).empty());
    REQUIRE(plan.pids_v1.has_value());
    CHECK(plan.pids_v1->parent == "/sys/fs/cgroup/pids");
    CHECK(plan.pids_v1->leaf == "mxc-s1");
    CHECK(plan.pids_v1->pids_max == 11);
    CHECK_FALSE(plan.cgroup.has_value());
    CHECK(find_rlimit(plan, RLIMIT_NPROC) == nullptr);
    bool explained = false;
    for (const auto& v : plan.verdicts) {
        explained |= v.mechanism.find("pids cgroup v1 /sys/fs/cgroup/pids/mxc-s1") == 0 &&
                     v.mechanism.find("removed at the next start") != std::string::npos;
    }
    CHECK(explained);
    CHECK(format_plan(plan).find("cgroup v1 /sys/fs/cgroup/pids/mxc-s1: pids.max = 11") != std::string::npos);
}

TEST_CASE("for host root, limits.processes prefers a cgroup v2 pids leaf") {
    Scenario s;
    s.facts.uid = 0;
    s.facts.pids_cgroup = PidsCgroupFacts{"/sys/fs/cgroup", "/sys/fs/cgroup/pids", "v2"};
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    auto plan = s.compile();
    CHECK(verdicts_of(plan, Severity::Unenforceable).empty());
    REQUIRE(plan.cgroup.has_value());
    CHECK(plan.cgroup->parent == "/sys/fs/cgroup");
    CHECK(plan.cgroup->pids_max == 11);
    CHECK(plan.cgroup->memory_max == 0);
    CHECK_FALSE(plan.pids_v1.has_value());
    bool explained = false;
    for (const auto& v : plan.verdicts)
        explained |= v.mechanism.find("pids cgroup v2 /sys/fs/cgroup/mxc-s1") == 0;
    CHECK(explained);
}

TEST_CASE("memory and processes share one cgroup v2 leaf when both fit the same parent") {
    Scenario s;
    s.facts.cgroup = CgroupFacts{true, "/sys/fs/cgroup/u", "delegated"};
    s.facts.pids_cgroup = PidsCgroupFacts{"/sys/fs/cgroup/u", "", "v2"};
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{1ULL << 30, origin("p.toml", 5)};
    auto plan = s.compile();
    REQUIRE(plan.cgroup.has_value());
    CHECK(plan.cgroup->parent == "/sys/fs/cgroup/u");
    CHECK(plan.cgroup->pids_max == 11);
    CHECK(plan.cgroup->memory_max == (1ULL << 30));
}

TEST_CASE("a memory leaf elsewhere keeps the pids limit out of cgroup v2 (one v2 cgroup per process)") {
    Scenario s;
    s.facts.uid = 0;
    s.facts.cgroup = CgroupFacts{true, "/sys/fs/cgroup/u", "delegated"};
    s.facts.pids_cgroup = PidsCgroupFacts{"/sys/fs/cgroup", "/sys/fs/cgroup/pids", "v2"};
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{1ULL << 30, origin("p.toml", 5)};
    auto plan = s.compile();
    REQUIRE(plan.cgroup.has_value());
    CHECK(plan.cgroup->parent == "/sys/fs/cgroup/u");
    CHECK(plan.cgroup->pids_max == 0);
    REQUIRE(plan.pids_v1.has_value());
    CHECK(plan.pids_v1->pids_max == 11);
}

TEST_CASE("a normal user with a pids cgroup gets it in addition to RLIMIT_NPROC") {
    Scenario s;
    s.facts.pids_cgroup = PidsCgroupFacts{"/sys/fs/cgroup/u", "", "v2"};
    s.policy.limits.processes = Sourced<std::uint64_t>{10, origin("p.toml", 4)};
    auto plan = s.compile();
    REQUIRE(plan.cgroup.has_value());
    CHECK(plan.cgroup->pids_max == 11);
    CHECK(find_rlimit(plan, RLIMIT_NPROC)->value == 11);
    bool explained = false;
    for (const auto& v : plan.verdicts) explained |= v.mechanism.find("+ RLIMIT_NPROC") != std::string::npos;
    CHECK(explained);
}

TEST_CASE("open_files is capped at the caller's hard limit") {
    Scenario s;
    s.facts.nofile_hard = 1024;
    s.policy.limits.open_files = Sourced<std::uint64_t>{4096, origin("p.toml", 5)};
    auto plan = s.compile();
    CHECK(find_rlimit(plan, RLIMIT_NOFILE)->value == 1024);
    const RuleVerdict* capped = find_verdict(plan, Severity::Note, "limits.open_files 4096");
    REQUIRE(capped != nullptr);
    CHECK(capped->reason.find("capped at 1024") != std::string::npos);
}

TEST_CASE("file_size and cpu_time map to RLIMIT_FSIZE and RLIMIT_CPU (rounded up to seconds)") {
    Scenario s;
    s.policy.limits.file_size_bytes = Sourced<std::uint64_t>{1 << 20, origin("p.toml", 6)};
    s.policy.limits.cpu_time =
        Sourced<std::chrono::milliseconds>{std::chrono::milliseconds(1500), origin("p.toml", 7)};
    auto plan = s.compile();
    CHECK(find_rlimit(plan, RLIMIT_FSIZE)->value == (1 << 20));
    CHECK(find_rlimit(plan, RLIMIT_CPU)->value == 2);
}

TEST_CASE("memory uses RLIMIT_DATA, never RLIMIT_AS, when no cgroup is delegated") {
    // RLIMIT_AS counted V8's and WebAssembly's PROT_NONE reservations and
    // killed node under every built-in profile (issue 12).
    Scenario s;
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{1ULL << 30, origin("p.toml", 8)};
    auto plan = s.compile();
    REQUIRE(find_rlimit(plan, RLIMIT_DATA) != nullptr);
    CHECK(find_rlimit(plan, RLIMIT_DATA)->value == (1ULL << 30));
    CHECK(find_rlimit(plan, RLIMIT_AS) == nullptr);
    CHECK_FALSE(plan.cgroup.has_value());
    // Per-process limits add up: the supervisor watches the sum.
    CHECK(plan.memory_watch_bytes == (1ULL << 30));
    bool explained = false;
    for (const auto& v : plan.verdicts)
        explained |= v.rule.rfind("limits.memory", 0) == 0 &&
                     v.mechanism.find("RLIMIT_DATA per process") != std::string::npos;
    CHECK(explained);
}

TEST_CASE("no memory limit: neither RLIMIT_DATA nor RLIMIT_AS nor a memory cgroup") {
    Scenario s;
    auto plan = s.compile();
    CHECK(find_rlimit(plan, RLIMIT_DATA) == nullptr);
    CHECK(find_rlimit(plan, RLIMIT_AS) == nullptr);
    CHECK_FALSE(plan.cgroup.has_value());
    CHECK(plan.memory_watch_bytes == 0);
}

TEST_CASE("memory uses a per-run child cgroup when delegated") {
    Scenario s;
    s.facts.cgroup = CgroupFacts{true, "/sys/fs/cgroup/user.slice/x", "delegated"};
    s.policy.limits.memory_bytes = Sourced<std::uint64_t>{1ULL << 30, origin("p.toml", 8)};
    auto plan = s.compile();
    REQUIRE(plan.cgroup.has_value());
    CHECK(plan.cgroup->parent == "/sys/fs/cgroup/user.slice/x");
    CHECK(plan.cgroup->leaf == "mxc-s1");
    CHECK(plan.cgroup->memory_max == (1ULL << 30));
    CHECK(find_rlimit(plan, RLIMIT_AS) == nullptr);
    CHECK(find_rlimit(plan, RLIMIT_DATA) == nullptr);
    CHECK(plan.memory_watch_bytes == 0);  // memory.max covers the whole sandbox
}

TEST_CASE("wall_time goes to the supervisor with a kill grace period") {
    Scenario s;
    s.policy.limits.wall_time =
        Sourced<std::chrono::milliseconds>{std::chrono::milliseconds(5000), origin("p.toml", 9)};
    auto plan = s.compile();
    REQUIRE(plan.wall_time.has_value());
    CHECK(plan.wall_time->count() == 5000);
    CHECK(plan.kill_grace.count() > 0);
}

TEST_CASE("network none gets its own namespace, host shares it, neither has a proxy") {
    Scenario s;
    CHECK(s.compile().new_net);
    CHECK_FALSE(s.compile().proxy.has_value());
    s.policy.network.mode.value = mxc::policy::NetMode::Host;
    CHECK_FALSE(s.compile().new_net);
    CHECK_FALSE(s.compile().proxy.has_value());
}

TEST_CASE("without user namespaces nothing can run") {
    Scenario s;
    s.facts.user_namespaces = false;
    s.facts.user_namespaces_detail = "user.max_user_namespaces = 0";
    auto plan = s.compile();
    const RuleVerdict* sandbox = find_verdict(plan, Severity::Fatal, "sandbox");
    REQUIRE(sandbox != nullptr);
    CHECK(sandbox->reason.find("max_user_namespaces") != std::string::npos);
    CHECK(mxc::platform::refuses(plan.verdicts, true));
}

TEST_CASE("the caller's ids are mapped to themselves and cwd is kept") {
    auto plan = Scenario().compile();
    CHECK(plan.uid == 1000);
    CHECK(plan.gid == 1000);
    CHECK(plan.cwd == "/home/u/proj");
}

TEST_CASE("best_effort is carried into the plan") {
    Scenario s;
    s.policy.best_effort.value = true;
    CHECK(s.compile().best_effort);
}

TEST_CASE("explain verdicts cover every path rule with its origin") {
    auto plan = Scenario()
                    .rule("/usr", mxc::policy::Access::Read)
                    .rule("/home/u/.ssh", mxc::policy::Access::Deny)
                    .compile();
    int paths = 0;
    for (const auto& v : plan.verdicts) {
        if (v.rule.rfind("filesystem.", 0) == 0) {
            ++paths;
            CHECK(v.origin.find("p.toml:") == 0);
            CHECK(v.enforceable());
        }
    }
    CHECK(paths == 2);
}

TEST_CASE("format_plan lists mounts, landlock, limits and env") {
    auto text = format_plan(Scenario().rule("/usr", mxc::policy::Access::Read).compile());
    CHECK(text.find("mounts:") != std::string::npos);
    CHECK(text.find("bind-ro /usr") != std::string::npos);
    CHECK(text.find("landlock: ABI 7") != std::string::npos);
    CHECK(text.find("RLIMIT_CORE = 0") != std::string::npos);
    CHECK(text.find("MXC_SESSION_ID=s1") != std::string::npos);
}

TEST_CASE("the cgroup directories observed in the host facts are the ones the supervisor sweeps") {
    Scenario s;
    s.facts.cgroup_sweep_dirs = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids/user.slice"};
    auto plan = s.compile();
    CHECK(plan.cgroup_sweep_dirs == s.facts.cgroup_sweep_dirs);
}
