// I4: protected names become read-only rules under every write rule (".git"
// pinned), extendable and clearable with [filesystem].protect.
#include <doctest/doctest.h>

#include "policy/protected_names.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::first_error;
using mxc::policy::testing::load_ok;
using mxc::policy::testing::rule_for;

TEST_CASE("protected names are read-only under the workspace and .git is pinned") {
    auto p = load_ok("schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\n");
    REQUIRE(rule_for(p, "/work/project/.envrc") != nullptr);
    CHECK(rule_for(p, "/work/project/.envrc")->access == Access::Read);
    CHECK(rule_for(p, "/work/project/.envrc")->protect);
    CHECK(rule_for(p, "/work/project/.git/hooks")->access == Access::Read);
    CHECK(rule_for(p, "/work/project/.cargo/config")->access == Access::Read);
    REQUIRE(rule_for(p, "/work/project/.git") != nullptr);
    CHECK(rule_for(p, "/work/project/.git")->access == Access::Write);
    CHECK(rule_for(p, "/work/project/.git")->protect);
    CHECK(rule_for(p, "/work/project/.envrc")->origin.describe().find("direnv") != std::string::npos);
}

TEST_CASE("protected names are not added under {tmp} or the built-in cache directories") {
    auto p = load_ok("schema = 1\n[filesystem]\nwrite = [\"{tmp}\", \"~/.cache\", \"~/.npm\"]\n");
    for (const auto& r : p.paths) CHECK_MESSAGE(!r.protect, r.path);
}

TEST_CASE("a profile's own read rule on a protected name keeps its origin") {
    auto p =
        load_ok("schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\nread = [\"{workspace}/.git/hooks\"]\n");
    CHECK_FALSE(rule_for(p, "/work/project/.git/hooks")->protect);
    CHECK(rule_for(p, "/work/project/.git/hooks")->origin.line == 4);
}

TEST_CASE("[filesystem].protect adds a name, removes one with !, and clears the list with !*") {
    auto added = load_ok("schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\nprotect = [\"Makefile\"]\n");
    REQUIRE(rule_for(added, "/work/project/Makefile") != nullptr);
    CHECK(rule_for(added, "/work/project/Makefile")->origin.line == 4);

    auto removed = load_ok("schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\nprotect = [\"!.envrc\"]\n");
    CHECK(rule_for(removed, "/work/project/.envrc") == nullptr);
    CHECK(rule_for(removed, "/work/project/.vscode") != nullptr);

    auto cleared = load_ok(
        "schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\nprotect = [\"!*\", \".tool-versions\"]\n");
    CHECK(rule_for(cleared, "/work/project/.git") == nullptr);
    CHECK(rule_for(cleared, "/work/project/.tool-versions") != nullptr);
}

TEST_CASE("an invalid protect entry is refused at its position") {
    CHECK(first_error("schema = 1\n[filesystem]\nprotect = [\"/etc/passwd\"]\n")
              .find("test.toml:3:12: error: "
                    "[filesystem].protect") == 0);
    CHECK(first_error("schema = 1\n[filesystem]\nprotect = [\"a/../b\"]\n").find("\"..\"") !=
          std::string::npos);
    CHECK(first_error("schema = 1\n[filesystem]\nprotect = [\"{workspace}/x\"]\n").find("variables") !=
          std::string::npos);
    CHECK(first_error("schema = 1\n[filesystem]\nprotect = [\"*.sh\"]\n").find("globs") != std::string::npos);
}

TEST_CASE("protect entries are validated by protected_name_error") {
    CHECK_FALSE(protected_name_error(".git/hooks").has_value());
    CHECK_FALSE(protected_name_error("!.git").has_value());
    CHECK_FALSE(protected_name_error("!*").has_value());
    CHECK(protected_name_error("").has_value());
    CHECK(protected_name_error("!").has_value());
    CHECK(protected_name_error("~/.bashrc").has_value());
    CHECK(protected_name_error("a//b").has_value());
}

TEST_CASE("protected names never unlock a path a child profile made read-only") {
    // readonly extends default: {workspace} is read there, so neither .git
    // nor anything else under it may become writable (or even a rule).
    auto loaded = load_policy("readonly", {}, mxc::policy::testing::context());
    REQUIRE(loaded.ok());
    for (const auto& r : loaded.value().paths) CHECK_MESSAGE(!r.protect, r.path);
    CHECK(rule_for(loaded.value(), "/work/project/.git") == nullptr);
}

TEST_CASE("protected names never expose what a more specific deny hides") {
    auto p =
        load_ok("schema = 1\n[filesystem]\nwrite = [\"{workspace}\"]\ndeny = [\"{workspace}/.claude\"]\n");
    CHECK(rule_for(p, "/work/project/.claude/settings.json") == nullptr);
    CHECK(rule_for(p, "/work/project/.claude/commands") == nullptr);
    REQUIRE(rule_for(p, "/work/project/.claude") != nullptr);
    CHECK(rule_for(p, "/work/project/.claude")->access == Access::Deny);
    CHECK(rule_for(p, "/work/project/.envrc") != nullptr);
}
