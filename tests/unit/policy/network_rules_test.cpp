// [network].allow/deny entries are validated with net::parse_host_rule.
#include <doctest/doctest.h>

#include "policy_testing.hpp"

using mxc::policy::testing::errors;
using mxc::policy::testing::first_error;

TEST_CASE("host names, wildcards, CIDRs and bracketed IPv6 with ports are accepted") {
    CHECK(
        errors(
            "schema = 1\n[network]\nmode = \"allowlist\"\n"
            "allow = [\"github.com\", \"*.githubusercontent.com:443\", \"10.0.0.0/8:5432\", \"[::1]:8080\", "
            "\"example.org:*\"]\ndeny = [\"gist.github.com\"]\n")
            .empty());
}

TEST_CASE("a URL is not a host rule") {
    CHECK(first_error("schema = 1\n[network]\nallow = [\"github.com\", \"http://x/\"]\n")
              .find("test.toml:3:24: error: [network].allow: ") == 0);
}

TEST_CASE("a CIDR with an impossible prefix is refused") {
    CHECK(first_error("schema = 1\n[network]\ndeny = [\"10.0.0.0/33\"]\n")
              .find("test.toml:3:9: error: [network].deny: ") == 0);
}

TEST_CASE("every bad host rule is reported") {
    CHECK(errors("schema = 1\n[network]\nallow = [\"a b\", \"10.0.0.0/99\", \"x.com:99999\"]\n").size() == 3);
}

TEST_CASE("an allow wildcard that covers a whole public suffix is refused with its position") {
    CHECK(
        first_error("schema = 1\n[network]\nallow = [\"github.com\", \"*.com\"]\n") ==
        "test.toml:3:24: error: [network].allow: host rule \"*.com\" covers the public suffix \"com\": every "
        "site anyone registers under it would be reachable (name the domains the command needs, e.g. "
        "\"*.example.co.uk\" or \"api.example.com\")");
    for (const char* rule : {"*.co.uk", "*.CO.UK.", "*.uk:443", "*.org:*", "*.xn--p1ai",
                             "*.\xd1\x80\xd1\x84"}) {  // "*.рф", IDN form of xn--p1ai
        CAPTURE(rule);
        CHECK(first_error(std::string("schema = 1\n[network]\nallow = [\"") + rule + "\"]\n")
                  .find("covers the public suffix") != std::string::npos);
    }
}

TEST_CASE("rules narrower than a public suffix, and deny rules, are accepted") {
    CHECK(errors(
              "schema = 1\n[network]\nmode = \"allowlist\"\n"
              "allow = [\"*.example.com\", \"*.example.co.uk\", \"*.githubusercontent.com\", \"*.internal\", "
              "\"*.corp:*\", \"com\", \"co.uk:443\"]\n"
              "deny = [\"*.com\", \"*.co.uk\"]\n")
              .empty());
}
