#include <doctest/doctest.h>

#include "plan_fixtures.hpp"
#include "policy/policy.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::add_path;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using mxc::test::win::find_verdict;
using policy::Access;

namespace {

struct Ace {
    std::string path;
    AceType type;
    std::uint32_t mask;
    bool low_label;
    bool operator==(const Ace&) const = default;
};

std::vector<Ace> aces(const WindowsPlan& plan) {
    std::vector<Ace> out;
    for (const auto& g : plan.acl) {
        CHECK(g.trustee_sid == plan.run_sid);
        CHECK(g.inheritance == 0x3u);  // OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
        out.push_back({g.path, g.type, g.mask, g.low_integrity_label});
    }
    return out;
}

constexpr std::uint32_t kRead = 0x1200A9;   // FILE_GENERIC_READ | FILE_GENERIC_EXECUTE
constexpr std::uint32_t kWrite = 0x1301BF;  // + FILE_GENERIC_WRITE | DELETE
constexpr std::uint32_t kWriteBits = 0x10156;

}  // namespace

TEST_CASE("ACE table for a typical coding-agent profile") {
    auto p = base_policy();
    add_path(p, "C:\\Program Files\\Git", Access::Read);
    add_path(p, "C:\\work\\proj", Access::Write);
    add_path(p, "C:\\work\\proj\\.env", Access::Deny);
    add_path(p, "C:\\work\\proj\\.git", Access::Read);
    add_path(p, "C:\\Users\\u\\.ssh", Access::Deny);
    auto plan = compile_windows_plan(p, facts());
    CHECK(aces(plan) == std::vector<Ace>{
                            {"\\\\?\\C:\\Program Files\\Git", AceType::Allow, kRead, false},
                            {"\\\\?\\C:\\Users\\u\\.ssh", AceType::Deny, kWrite, false},
                            {"\\\\?\\C:\\work\\proj", AceType::Allow, kWrite, true},
                            {"\\\\?\\C:\\work\\proj\\.env", AceType::Deny, kWrite, false},
                            {"\\\\?\\C:\\work\\proj\\.git", AceType::Allow, kRead, false},
                            {"\\\\?\\C:\\work\\proj\\.git", AceType::Deny, kWriteBits, false},
                        });
}

TEST_CASE("a read rule outside any write rule gets no deny ACE") {
    auto p = base_policy();
    add_path(p, "C:\\tools", Access::Read);
    add_path(p, "C:\\tools\\bin", Access::Read);
    auto plan = compile_windows_plan(p, facts());
    CHECK(aces(plan) == std::vector<Ace>{{"\\\\?\\C:\\tools", AceType::Allow, kRead, false},
                                         {"\\\\?\\C:\\tools\\bin", AceType::Allow, kRead, false}});
}

TEST_CASE("a write rule inside a read rule is a plain allow on the inner root") {
    auto p = base_policy();
    add_path(p, "C:\\data", Access::Read);
    add_path(p, "C:\\data\\out", Access::Write);
    CHECK(aces(compile_windows_plan(p, facts())) ==
          std::vector<Ace>{{"\\\\?\\C:\\data", AceType::Allow, kRead, false},
                           {"\\\\?\\C:\\data\\out", AceType::Allow, kWrite, true}});
}

TEST_CASE("paths differing only in case are one rule, deny beats read beats write") {
    auto p = base_policy();
    add_path(p, "C:\\Work\\Secrets", Access::Write);
    add_path(p, "c:\\work\\secrets", Access::Deny);
    add_path(p, "C:\\Shared", Access::Write);
    add_path(p, "C:\\SHARED", Access::Read);
    auto plan = compile_windows_plan(p, facts());
    CHECK(aces(plan) == std::vector<Ace>{{"\\\\?\\C:\\SHARED", AceType::Allow, kRead, false},
                                         {"\\\\?\\C:\\work\\secrets", AceType::Deny, kWrite, false}});
}

TEST_CASE("UNC and long paths are granted in \\\\?\\ form") {
    auto p = base_policy();
    add_path(p, "\\\\fileserver\\team\\repo", Access::Write);
    std::string deep = "C:\\deep";
    for (int i = 0; i < 30; ++i) deep += "\\level-of-nesting";
    add_path(p, deep, Access::Read);
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.acl.size() == 2);
    CHECK(plan.acl[0].path.rfind("\\\\?\\C:\\deep\\level-of-nesting", 0) == 0);
    CHECK(plan.acl[0].path.size() > 260);
    CHECK(plan.acl[1].path == "\\\\?\\UNC\\fileserver\\team\\repo");
}

TEST_CASE("8.3 short names are flagged for resolution at apply time") {
    auto p = base_policy();
    add_path(p, "C:\\PROGRA~1\\Tool", Access::Read);
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.acl.size() == 1);
    CHECK(plan.acl[0].needs_short_name_resolution);
    CHECK(find_verdict(plan, "filesystem.read C:\\PROGRA~1\\Tool")->mechanism.find("8.3") !=
          std::string::npos);
}

TEST_CASE("an alternate data stream rule is refused, not silently widened to the file") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj\\notes.txt:hidden", Access::Read);
    auto plan = compile_windows_plan(p, facts());
    CHECK(plan.acl.empty());
    const auto* v = find_verdict(plan, "filesystem.read C:\\work\\proj\\notes.txt:hidden");
    REQUIRE(v != nullptr);
    CHECK_FALSE(v->enforceable());
    CHECK(v->reason.find("alternate data streams") != std::string::npos);
}

TEST_CASE("a POSIX path in a Windows plan is a missing path: skipped, or an error with missing = error") {
    auto p = base_policy();
    add_path(p, "/usr", Access::Read);
    add_path(p, "/etc/shadow", Access::Deny);
    add_path(p, "//server/share", Access::Read);  // UNC with forward slashes: a real Windows path
    auto plan = compile_windows_plan(p, facts());
    REQUIRE(plan.acl.size() == 1);
    CHECK(plan.acl[0].path == "\\\\?\\UNC\\server\\share");
    for (const char* rule : {"filesystem.read /usr", "filesystem.deny /etc/shadow"}) {
        CAPTURE(rule);
        const auto* v = find_verdict(plan, rule);
        REQUIRE(v != nullptr);
        CHECK(v->enforceable());
        CHECK(v->mechanism.find("does not exist on Windows") != std::string::npos);
    }

    for (auto& r : p.paths) r.missing = {policy::MissingPaths::Error, {}};  // missing is per rule (per file)
    plan = compile_windows_plan(p, facts());
    CHECK_FALSE(find_verdict(plan, "filesystem.read /usr")->enforceable());
}

TEST_CASE("the built-in profiles compile for Windows with every path rule enforceable") {
    for (const auto& builtin : policy::builtin_profiles()) {
        CAPTURE(builtin.name);
        policy::ResolveContext ctx{"C:\\work\\proj",
                                   "C:\\Users\\u",
                                   "C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run",
                                   "C:\\work\\proj",
                                   {},
                                   {},
                                   {}};
        auto resolved = policy::load_policy(builtin.name, {}, ctx);
        REQUIRE_MESSAGE(resolved, resolved.error().message);
        auto plan = compile_windows_plan(*resolved, facts());
        for (const auto& v : plan.verdicts) {
            if (v.rule.rfind("filesystem.", 0) != 0) continue;
            CAPTURE(v.rule);
            CHECK_MESSAGE(v.enforceable(), v.reason);
        }
    }
}

TEST_CASE("the per-run tmp directory is created by the applier") {
    auto plan = compile_windows_plan(base_policy(), facts());
    CHECK(plan.create_dirs == std::vector<std::string>{"\\\\?\\C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run"});
}

TEST_CASE("two runs of the same profile use different trustees") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write);
    auto f2 = facts();
    f2.run_id = "ffffffffffffffffffffffffffffffff";
    auto a = compile_windows_plan(p, facts());
    auto b = compile_windows_plan(p, f2);
    // Nor do they share an AppContainer profile (its storage would carry state).
    CHECK(a.app_container.profile_name != b.app_container.profile_name);
    CHECK(a.acl[0].trustee_sid != b.acl[0].trustee_sid);
}
