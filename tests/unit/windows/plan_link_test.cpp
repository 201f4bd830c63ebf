// Issue 10, I1 on Windows: a rule never grants more than its literal path.
// Symlinks, junctions and mount points that a sandboxed run could have made
// (strictly inside a writable area) get no ACE through them; a deny rule
// lands on the link itself. Host facts stand in for the file system: the
// Windows probe reports the first link on each rule path.
#include <doctest/doctest.h>

#include <algorithm>

#include "plan_fixtures.hpp"
#include "platform/windows/plan/win_path.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::add_path;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using mxc::test::win::find_verdict;
using mxc::test::win::verdicts_of;
using policy::Access;

namespace {

const std::string kWs = "\\\\?\\C:\\work\\proj";

WindowsHostFacts with_link(const std::string& rule_path, const std::string& link, const std::string& target) {
    auto f = facts();
    f.temp_dir = "C:\\Users\\u\\AppData\\Local\\Temp";
    f.path_facts.push_back(PathFact{rule_path, link, target});
    return f;
}

bool any_ace_on(const WindowsPlan& plan, const std::string& path) {
    return std::any_of(plan.acl.begin(), plan.acl.end(),
                       [&](const AclGrant& g) { return path_equal(g.path, path); });
}

}  // namespace

TEST_CASE("I1: a write rule whose path is a junction planted in the workspace grants nothing") {
    // Run 1 (write on the workspace): rmdir .git\hooks; mklink /J .git\hooks C:\ .
    // Run 2: the rule {workspace}\.git\hooks must not put an ACE on C:\.
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    add_path(p, "C:\\work\\proj\\.git\\hooks", Access::Read, 21);
    auto plan =
        compile_windows_plan(p, with_link(kWs + "\\.git\\hooks", kWs + "\\.git\\hooks", "\\\\?\\C:\\"));
    CHECK_FALSE(any_ace_on(plan, kWs + "\\.git\\hooks"));
    CHECK_FALSE(any_ace_on(plan, "\\\\?\\C:\\"));
    CHECK(any_ace_on(plan, kWs));  // the workspace itself is trusted as given
    const auto* v = find_verdict(plan, "filesystem.read C:\\work\\proj\\.git\\hooks");
    REQUIRE(v != nullptr);
    CHECK(v->severity == mxc::platform::Severity::Warning);
    CHECK(v->mechanism.find("none") == 0);
    CHECK(v->mechanism.find(kWs + "\\.git\\hooks -> \\\\?\\C:\\") != std::string::npos);
    REQUIRE(verdicts_of(plan, mxc::platform::Severity::Warning).size() == 1);
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning)[0]->message().find("applies to nothing") !=
          std::string::npos);
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning)[0]->message().find(kWs + "\\.git\\hooks") !=
          std::string::npos);
    CHECK(describe(plan).find("warning: filesystem.read") != std::string::npos);
}

TEST_CASE("I1: a link on an ancestor component counts too (symlinked .git, rule on .git\\config)") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    add_path(p, "C:\\work\\proj\\.git\\config", Access::Write, 21);
    auto plan = compile_windows_plan(
        p, with_link(kWs + "\\.git\\config", kWs + "\\.git", "\\\\?\\C:\\Users\\u\\.ssh"));
    CHECK_FALSE(any_ace_on(plan, kWs + "\\.git\\config"));
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).size() == 1);
}

TEST_CASE("I1: across profiles, a link in a writable cache under home grants nothing") {
    // coding-agent may write ~\.cache; it plants ~\.cache\ccache -> ~ ; the
    // next profile's write rule on ~\.cache\ccache must not cover ~.
    auto p = base_policy("offline-build");
    add_path(p, "C:\\Users\\u\\.cache\\ccache", Access::Write, 20);
    auto plan =
        compile_windows_plan(p, with_link("\\\\?\\C:\\Users\\u\\.cache\\ccache",
                                          "\\\\?\\C:\\Users\\u\\.cache\\ccache", "\\\\?\\C:\\Users\\u"));
    CHECK(plan.acl.empty());
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).size() == 1);
}

TEST_CASE("I1: links in the temp directory are distrusted") {
    auto p = base_policy();
    add_path(p, "C:\\Users\\u\\AppData\\Local\\Temp\\build", Access::Read, 20);
    auto plan =
        compile_windows_plan(p, with_link("\\\\?\\C:\\Users\\u\\AppData\\Local\\Temp\\build",
                                          "\\\\?\\C:\\Users\\u\\AppData\\Local\\Temp\\build", "\\\\?\\D:\\"));
    CHECK(plan.acl.empty());
}

TEST_CASE("I1: deny still denies, with the ACE on the link itself (not followed)") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    add_path(p, "C:\\work\\proj\\secrets", Access::Deny, 21);
    auto plan = compile_windows_plan(p, with_link(kWs + "\\secrets", kWs + "\\secrets", "\\\\?\\C:\\"));
    auto it =
        std::find_if(plan.acl.begin(), plan.acl.end(), [](const AclGrant& g) { return g.on_link_itself; });
    REQUIRE(it != plan.acl.end());
    CHECK(it->type == AceType::Deny);
    CHECK(it->path == kWs + "\\secrets");
    CHECK(it->inheritance == 0);
    CHECK_FALSE(any_ace_on(plan, "\\\\?\\C:\\"));
    const auto* v = find_verdict(plan, "filesystem.deny C:\\work\\proj\\secrets");
    REQUIRE(v != nullptr);
    CHECK(v->mechanism.find("on the link " + kWs + "\\secrets itself") != std::string::npos);
    CHECK(describe(plan).find("link-itself") != std::string::npos);
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).empty());
}

TEST_CASE("I1: deny through a link on an ancestor lands on that link") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    add_path(p, "C:\\work\\proj\\.git\\hooks", Access::Deny, 21);
    auto plan = compile_windows_plan(p, with_link(kWs + "\\.git\\hooks", kWs + "\\.git", "\\\\?\\C:\\"));
    auto it =
        std::find_if(plan.acl.begin(), plan.acl.end(), [](const AclGrant& g) { return g.on_link_itself; });
    REQUIRE(it != plan.acl.end());
    CHECK(it->path == kWs + "\\.git");
}

TEST_CASE("I1: a link elsewhere in home (not a built-in writable dir) is the user's and is followed") {
    // ~\.ssh -> D:\keys made by the user: no built-in profile writes ~ itself.
    auto p = base_policy();
    add_path(p, "C:\\Users\\u\\.ssh", Access::Deny, 20);
    auto plan = compile_windows_plan(
        p, with_link("\\\\?\\C:\\Users\\u\\.ssh", "\\\\?\\C:\\Users\\u\\.ssh", "\\\\?\\D:\\keys"));
    REQUIRE(plan.acl.size() == 1);
    CHECK_FALSE(plan.acl[0].on_link_itself);
    CHECK(plan.acl[0].inheritance != 0);
}

TEST_CASE("I1: the user's own links outside writable areas are followed as before") {
    // C:\tools -> D:\tools made by the user: no rule of this plan can write C:\.
    auto p = base_policy();
    add_path(p, "C:\\tools", Access::Read, 20);
    auto plan =
        compile_windows_plan(p, with_link("\\\\?\\C:\\tools", "\\\\?\\C:\\tools", "\\\\?\\D:\\tools"));
    REQUIRE(plan.acl.size() == 1);
    CHECK(plan.acl[0].path == "\\\\?\\C:\\tools");
    CHECK_FALSE(plan.acl[0].on_link_itself);
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).empty());
}

TEST_CASE("I1: the workspace itself and a write rule's own root are trusted as given") {
    // The workspace passed by the user is a junction: the run cannot have
    // made it (it would need write access to its parent).
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    auto plan = compile_windows_plan(p, with_link(kWs, kWs, "\\\\?\\D:\\proj"));
    REQUIRE(plan.acl.size() == 1);
    CHECK(plan.acl[0].path == kWs);
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).empty());
}

TEST_CASE("I1: facts for other paths do not affect a rule") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write, 20);
    add_path(p, "C:\\work\\proj\\src", Access::Read, 21);
    auto plan = compile_windows_plan(p, with_link(kWs + "\\other", kWs + "\\other", "\\\\?\\C:\\"));
    CHECK(any_ace_on(plan, kWs + "\\src"));
    CHECK(verdicts_of(plan, mxc::platform::Severity::Warning).empty());
}

TEST_CASE("a write rule covering mxc's journal or program directory is refused") {
    auto f = facts();
    f.private_dirs = {"\\\\?\\C:\\Users\\u\\AppData\\Local\\mxc\\journal", "\\\\?\\C:\\Tools\\mxc\\bin"};
    auto p = base_policy();
    add_path(p, "C:\\Users\\u", Access::Write, 20);                      // covers the journal
    add_path(p, "C:\\Tools\\mxc\\bin\\plugins", Access::Write, 21);      // inside mxc.exe's directory
    add_path(p, "C:\\Users\\u\\AppData\\Local\\mxc", Access::Read, 22);  // reading is fine
    auto plan = compile_windows_plan(p, f);
    const auto* home = find_verdict(plan, "filesystem.write C:\\Users\\u");
    REQUIRE(home != nullptr);
    CHECK_FALSE(home->enforceable());
    CHECK(home->reason.find("journal") != std::string::npos);
    const auto* bin = find_verdict(plan, "filesystem.write C:\\Tools\\mxc\\bin\\plugins");
    REQUIRE(bin != nullptr);
    CHECK_FALSE(bin->enforceable());
    CHECK_FALSE(any_ace_on(plan, "\\\\?\\C:\\Users\\u"));
    CHECK_FALSE(any_ace_on(plan, "\\\\?\\C:\\Tools\\mxc\\bin\\plugins"));
    CHECK(any_ace_on(plan, "\\\\?\\C:\\Users\\u\\AppData\\Local\\mxc"));
}
