// Path variables, "~", lexical normalisation, and what is refused.
#include <doctest/doctest.h>

#include "policy/load.hpp"
#include "policy/paths.hpp"
#include "policy/validate.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::first_error;
using mxc::policy::testing::load_ok;
using mxc::policy::testing::rule_for;

namespace {

const PathVars kVars{"/work/project", "/home/alice", "/tmp/mxc-run", std::string("/profiles")};

std::string expand(std::string_view text) {
    auto r = expand_path(text, kVars);
    return r ? *r : "ERROR: " + r.error().message;
}

}  // namespace

TEST_CASE("each variable expands to its context value") {
    CHECK(expand("{workspace}") == "/work/project");
    CHECK(expand("{home}/.cache") == "/home/alice/.cache");
    CHECK(expand("{tmp}/x") == "/tmp/mxc-run/x");
    CHECK(expand("{profile_dir}/data") == "/profiles/data");
}

TEST_CASE("a leading ~ is the home directory") {
    CHECK(expand("~") == "/home/alice");
    CHECK(expand("~/.ssh") == "/home/alice/.ssh");
}

TEST_CASE("~user is refused") {
    CHECK(expand("~bob/.ssh").find("ERROR: ") == 0);
}

TEST_CASE("paths are normalised lexically") {
    CHECK(expand("/usr//lib/./x/../y/") == "/usr/lib/y");
    CHECK(expand("{workspace}/a/../b") == "/work/project/b");
    CHECK(expand("/") == "/");
    CHECK(expand("/..") == "/");
}

TEST_CASE("\"..\" may not climb out of a variable's directory") {
    CHECK(expand("{workspace}/..").find("climbs out of {workspace}") != std::string::npos);
    CHECK(expand("~/../bob").find("climbs out of {home}") != std::string::npos);
    CHECK(expand("{workspace}/a/../../x").find("climbs out of") != std::string::npos);
}

TEST_CASE("absolute paths are allowed") {
    CHECK(expand("/etc/ssl") == "/etc/ssl");
}

TEST_CASE("a variable must start the path and be followed by a slash") {
    CHECK(expand("/x/{workspace}").find("a variable may only start a path") != std::string::npos);
    CHECK(expand("{workspace}x").find("must be followed by \"/\"") != std::string::npos);
    CHECK(expand("{workspace/x").find("unterminated variable") != std::string::npos);
}

TEST_CASE("{profile_dir} cannot be used in a built-in profile") {
    PathVars builtin = kVars;
    builtin.profile_dir.reset();
    auto r = expand_path("{profile_dir}/x", builtin);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("no value in a built-in profile") != std::string::npos);
}

TEST_CASE("a variable without a value in this context is refused") {
    PathVars no_home = kVars;
    no_home.home.clear();
    CHECK_FALSE(expand_path("~/.ssh", no_home));
}

TEST_CASE("Windows drive paths are absolute and normalised with forward slashes") {
    CHECK(is_absolute_path("C:\\Users\\x"));
    CHECK(normalize_path("C:\\Users\\x\\..\\y\\") == "C:/Users/y");
}

TEST_CASE("env.set values expand variables anywhere in the text") {
    auto p =
        load_ok("schema = 1\n[env]\nset = { OUT = \"{tmp}/out:{workspace}/bin\", JSON = '{\"a\": 1}' }\n");
    CHECK(p.env.set.at("OUT").value == "/tmp/mxc-run/out:/work/project/bin");
    CHECK(p.env.set.at("JSON").value == "{\"a\": 1}");
}

TEST_CASE("an unknown variable in an env.set value is refused") {
    CHECK(first_error("schema = 1\n[env]\nset = { A = \"{nope}/x\" }\n") ==
          "test.toml:3:13: error: [env].set.A: unknown variable {nope} "
          "(known variables: {workspace}, {home}, {tmp}, {profile_dir})");
}

TEST_CASE("the resolved policy records the values the variables had") {
    auto p = load_ok("schema = 1\n");
    CHECK(p.workspace == "/work/project");
    CHECK(p.home == "/home/alice");
    CHECK(p.tmp == "/tmp/mxc-run");
    CHECK(p.profile_dir == "/profiles");
}

TEST_CASE("a built-in profile using {profile_dir} is refused at the path") {
    auto loaded = load_profile_text("schema = 1\n[filesystem]\nread = [\"{profile_dir}/x\"]\n",
                                    "builtin:demo", "", true);
    REQUIRE(loaded.parsed);
    std::vector<Diagnostic> found;
    PathVars vars = kVars;
    vars.profile_dir.reset();
    (void)validate_profile(loaded.raw, vars, found);
    REQUIRE(found.size() == 1);
    CHECK(found[0].to_string() ==
          "builtin:demo:3:9: error: [filesystem].read: {profile_dir} has no value in a built-in profile "
          "(use an absolute path or another variable)");
}
