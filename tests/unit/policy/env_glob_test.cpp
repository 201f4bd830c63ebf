// [env] pattern matching, shared by the policy layer and both platforms.
#include <doctest/doctest.h>

#include <string>

#include "policy/env_glob.hpp"

using mxc::policy::env_glob_match;
using mxc::policy::NameCase;

TEST_CASE("env globs: '*' and '?' against whole names") {
    struct Case {
        const char* pattern;
        const char* name;
        bool match;
    };
    const Case cases[] = {
        {"PATH", "PATH", true},
        {"PATH", "PATHX", false},
        {"PATH", "XPATH", false},
        {"LC_*", "LC_ALL", true},
        {"LC_*", "LC_", true},
        {"LC_*", "LANG", false},
        {"*_TOKEN", "GH_TOKEN", true},
        {"*_TOKEN", "_TOKEN", true},
        {"*_TOKEN", "GH_TOKENS", false},
        {"*_SECRET*", "MY_SECRET_KEY", true},
        {"*_SECRET*", "SECRET", false},
        {"A?C", "ABC", true},
        {"A?C", "AC", false},
        {"*", "", true},
        {"", "", true},
        {"", "A", false},
        {"**A**", "A", true},
        {"*A*B", "XAYAB", true},
        {"*A*B", "XAYABC", false},
        {"AWS_*", "AWS_ACCESS_KEY_ID", true},
    };
    for (const auto& c : cases) {
        CAPTURE(c.pattern);
        CAPTURE(c.name);
        CHECK(env_glob_match(c.pattern, c.name, NameCase::Sensitive) == c.match);
    }
}

TEST_CASE("env globs: case folding only where names are case-insensitive") {
    CHECK_FALSE(env_glob_match("LC_*", "lc_all", NameCase::Sensitive));
    CHECK(env_glob_match("LC_*", "lc_all", NameCase::Insensitive));
    CHECK(env_glob_match("*_token", "GH_TOKEN", NameCase::Insensitive));
}

TEST_CASE("env globs: a pattern of many stars stays fast") {
    const std::string pattern(2000, '*');
    const std::string name(5000, 'A');
    CHECK(env_glob_match(pattern + "B", name + "B", NameCase::Sensitive));
    CHECK_FALSE(env_glob_match(pattern + "B", name, NameCase::Sensitive));
}
