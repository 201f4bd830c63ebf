#include <doctest/doctest.h>

#include "plan_fixtures.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using mxc::test::win::find_verdict;

TEST_CASE("every job kills on close and dies on unhandled exceptions") {
    auto plan = compile_windows_plan(base_policy(), facts());
    CHECK(plan.job.limit_flags == (0x2000u | 0x400u));
    CHECK_FALSE(plan.job.wall_time.has_value());
}

TEST_CASE("job limits table") {
    struct Row {
        const char* name;
        void (*set)(policy::Limits&);
        std::uint32_t flags;
        std::uint32_t processes;
        std::uint64_t memory;
        std::int64_t user_time_100ns;
    };
    const std::uint32_t base = 0x2000 | 0x400;
    const Row rows[] = {
        {"processes",
         [](policy::Limits& l) {
             l.processes = {{512, {}}};
         },
         base | 0x8, 512, 0, 0},
        {"memory",
         [](policy::Limits& l) {
             l.memory_bytes = {{4ULL << 30, {}}};
         },
         base | 0x200, 0, 4ULL << 30, 0},
        {"cpu_time",
         [](policy::Limits& l) {
             l.cpu_time = {{std::chrono::milliseconds(3600000), {}}};
         },
         base | 0x2, 0, 0, 36000000000LL},
        {"all three",
         [](policy::Limits& l) {
             l.processes = {{64, {}}};
             l.memory_bytes = {{1ULL << 30, {}}};
             l.cpu_time = {{std::chrono::milliseconds(1500), {}}};
         },
         base | 0x8 | 0x200 | 0x2, 64, 1ULL << 30, 15000000},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        auto p = base_policy();
        row.set(p.limits);
        auto job = compile_windows_plan(p, facts()).job;
        CHECK(job.limit_flags == row.flags);
        CHECK(job.active_process_limit == row.processes);
        CHECK(job.job_memory_limit == row.memory);
        CHECK(job.per_process_user_time_100ns == row.user_time_100ns);
    }
}

TEST_CASE("wall time is kept for the supervisor, not the job") {
    auto p = base_policy();
    p.limits.wall_time = {{std::chrono::milliseconds(90000), {}}};
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.job.wall_time.has_value());
    CHECK(plan.job.wall_time->count() == 90000);
    CHECK(plan.job.limit_flags == (0x2000u | 0x400u));
}

TEST_CASE("UI restrictions: everything, plus the clipboard unless allowed") {
    auto p = base_policy();
    // HANDLES|SYSTEMPARAMETERS|DISPLAYSETTINGS|GLOBALATOMS|DESKTOP|EXITWINDOWS + READ/WRITECLIPBOARD
    CHECK(compile_windows_plan(p, facts()).job.ui_restrictions == 0xFFu);
    p.windows.clipboard.value = true;
    CHECK(compile_windows_plan(p, facts()).job.ui_restrictions == (0xFFu & ~0x6u));
}

TEST_CASE("open_files and file_size have no Windows mechanism and say so") {
    auto p = base_policy();
    p.limits.open_files = {{4096, {}}};
    p.limits.file_size_bytes = {{2ULL << 30, {}}};
    auto plan = compile_windows_plan(p, facts());
    const auto* of = find_verdict(plan, "limits.open_files 4096");
    REQUIRE(of != nullptr);
    CHECK_FALSE(of->enforceable());
    const auto* fs = find_verdict(plan, "limits.file_size 2147483648");
    REQUIRE(fs != nullptr);
    CHECK_FALSE(fs->enforceable());
    CHECK(fs->reason.find("--best-effort") != std::string::npos);
}
