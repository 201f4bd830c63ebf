// Filesystem rule precedence: the most specific path wins; on the same path
// deny > read > write. The resolved list has one rule per path, sorted.
#include <doctest/doctest.h>

#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::load_ok;
using mxc::policy::testing::rule_for;

namespace {

Access winner(const std::string& read, const std::string& write, const std::string& deny) {
    std::string toml = "schema = 1\n[filesystem]\nprotect = [\"!*\"]\nread = [" + read + "]\nwrite = [" +
                       write + "]\ndeny = [" + deny + "]\n";
    auto p = load_ok(toml);
    REQUIRE_MESSAGE(p.paths.size() == 1, p.name);
    return p.paths[0].access;
}

}  // namespace

TEST_CASE("on the same path deny beats read and write") {
    CHECK(winner("\"/x\"", "\"/x\"", "\"/x\"") == Access::Deny);
    CHECK(winner("", "\"/x\"", "\"/x\"") == Access::Deny);
    CHECK(winner("\"/x\"", "", "\"/x\"") == Access::Deny);
}

TEST_CASE("on the same path read beats write") {
    CHECK(winner("\"/x\"", "\"/x\"", "") == Access::Read);
}

TEST_CASE("paths that are equal after normalisation are the same path") {
    CHECK(winner("\"/x/./y/\"", "\"//x/y\"", "") == Access::Read);
    CHECK(winner("\"{workspace}\"", "\"/work/project/\"", "") == Access::Read);
}

TEST_CASE("a more specific path keeps its own rule inside a broader one") {
    auto p = load_ok(
        "schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\nread = [\"{workspace}/.git\"]\n"
        "deny = [\"/work\"]\n");
    CHECK(rule_for(p, "/work")->access == Access::Deny);
    CHECK(rule_for(p, "/work/project")->access == Access::Write);
    CHECK(rule_for(p, "/work/project/.git")->access == Access::Read);
}

TEST_CASE("resolved rules are sorted by path, one per path") {
    auto p =
        load_ok("schema = 1\n[filesystem]\nread = [\"/b\", \"/a/c\", \"/a\", \"/b\"]\ndeny = [\"/a\"]\n");
    REQUIRE(p.paths.size() == 3);
    CHECK(p.paths[0].path == "/a");
    CHECK(p.paths[0].access == Access::Deny);
    CHECK(p.paths[1].path == "/a/c");
    CHECK(p.paths[2].path == "/b");
}

TEST_CASE("the winning rule keeps the origin of the line that wrote it") {
    auto p = load_ok("schema = 1\n[filesystem]\nwrite = [\"/x\"]\ndeny = [\"/y\", \"/x\"]\n");
    const auto* x = rule_for(p, "/x");
    CHECK(x->origin.describe() == "/profiles/test.toml:4:15");
}

TEST_CASE("a child's deny beats its parent's write on the same path") {
    auto p = load_ok("schema = 1\nextends = \"default\"\n[filesystem]\ndeny = [\"{workspace}\"]\n");
    CHECK(rule_for(p, "/work/project")->access == Access::Deny);
}

TEST_CASE("a child cannot weaken a parent's deny by writing the same path") {
    auto p = load_ok("schema = 1\nextends = \"default\"\n[filesystem]\nwrite = [\"~/.ssh\"]\n");
    CHECK(rule_for(p, "/home/alice/.ssh")->access == Access::Deny);
}
