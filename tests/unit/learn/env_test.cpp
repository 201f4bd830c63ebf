#include <doctest/doctest.h>

#include "learn/env_suggest.hpp"
#include "learn/toml_writer.hpp"
#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

namespace {
const std::vector<std::string> kCallerEnv = {
    "PATH=/usr/bin",
    "GIT_AUTHOR_NAME=Alice Secretname",
    "GIT_COMMITTER_EMAIL=alice@example.org",
    "GITHUB_TOKEN=ghp_verysecret",
    "SSH_AUTH_SOCK=/run/user/1000/ssh.sock",
    "npm_config_cache=/home/alice/.npm",
    "npm_config__authToken=npm_secret",
    "npm_config_//registry.npmjs.org/:_authToken=npm_secret2",
    "CC=clang",
};
}  // namespace

TEST_CASE("names come from the caller's environment, values are dropped") {
    CHECK(env_names({"A=1", "B", "C=x=y"}) == std::vector<std::string>{"A", "B", "C"});
}

TEST_CASE("a program's known variables the base withholds are proposed by name, commented out") {
    Learned l{base(), env_names(kCallerEnv)};
    l.obs.files = {FsObservation{"/usr/bin/git", FsAccess::Execute, "/bin/sh", true}};
    auto s = l.run();
    REQUIRE(s.env.size() == 2);
    CHECK(s.env[0].name == "GIT_AUTHOR_NAME");
    CHECK(s.env[1].name == "GIT_COMMITTER_EMAIL");
    CHECK(s.env[0].programs == std::vector<std::string>{"git"});
    auto text = write_profile(s, {"default", "git commit", ""});
    REQUIRE(text.ok());
    CHECK(contains(*text, "#  \"GIT_AUTHOR_NAME\","));
    CHECK_FALSE(contains(*text, "\npass"));  // never an active pass line
    CHECK(check_profile_text_ok(*text));
}

TEST_CASE("the env table never emits a value, and never a name that looks like a secret") {
    Learned l{base(), env_names(kCallerEnv)};
    l.obs.files = {read("/x", "/usr/bin/git"), read("/y", "/usr/bin/npm"), read("/z", "/usr/bin/ssh"),
                   read("/w", "/usr/bin/gcc-12")};
    auto s = l.run();
    auto text = write_profile(s, {"default", "x", ""});
    REQUIRE(text.ok());
    for (const auto& entry : kCallerEnv) {
        const auto value = entry.substr(entry.find('=') + 1);
        CHECK_FALSE(contains(*text, value));
    }
    CHECK_FALSE(contains(*text, "GITHUB_TOKEN"));
    CHECK_FALSE(contains(*text, "authToken"));
    CHECK(contains(*text, "\"npm_config_cache\""));
    CHECK(contains(*text, "\"CC\""));          // gcc-12 is looked up as gcc
    CHECK_FALSE(contains(*text, "\"PATH\""));  // the base passes it
}

TEST_CASE("a variable the base denies is proposed with the deny rule named") {
    Learned l{base(), env_names(kCallerEnv)};
    l.obs.files = {read("/x", "/usr/bin/ssh")};
    auto s = l.run();
    REQUIRE(s.env.size() == 1);
    CHECK(s.env[0].name == "SSH_AUTH_SOCK");
    CHECK(s.env[0].denied_by == "SSH_AUTH_SOCK");
}

TEST_CASE("secret-looking names are recognised") {
    for (const char* n :
         {"GITHUB_TOKEN", "npm_config__auth", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "API_KEY", "MY_KEY_2",
          "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"})
        CHECK_MESSAGE(looks_secret(n), n);
    for (const char* n : {"GIT_AUTHOR_NAME", "CC", "CCACHE_DIR", "SSH_AUTH_SOCK", "KEYBOARD"})
        CHECK_MESSAGE(!looks_secret(n), n);
}
