#include <doctest/doctest.h>

#include "net/public_suffix.hpp"

using namespace mxc::net;

namespace {

HostRule rule(const char* text) {
    auto r = parse_host_rule(text);
    REQUIRE(r.ok());
    return std::move(r).value();
}

}  // namespace

TEST_CASE("ICANN public suffixes are recognised, from Debian's list") {
    for (const char* name : {"com", "org", "uk", "co.uk", "com.au", "xn--p1ai", "bar.ck"}) {
        CAPTURE(name);
        CHECK(is_icann_public_suffix(name));
    }
}

TEST_CASE("registrable names, private-section suffixes and unknown TLDs are not ICANN public suffixes") {
    // www.ck is the list's exception to *.ck; github.io and
    // githubusercontent.com are in the private section; "internal" is not
    // in the list at all (libpsl's implicit "*" rule must not apply).
    for (const char* name : {"example.com", "example.co.uk", "www.ck", "github.io", "githubusercontent.com",
                             "s3.amazonaws.com", "internal", "corp", "localhost", ""}) {
        CAPTURE(name);
        CHECK_FALSE(is_icann_public_suffix(name));
    }
}

TEST_CASE("only a wildcard rule can cover a public suffix") {
    auto problem = public_suffix_problem(rule("*.co.uk:443"));
    REQUIRE(problem.has_value());
    CHECK(
        *problem ==
        "host rule \"*.co.uk:443\" covers the public suffix \"co.uk\": every site anyone registers under it "
        "would be reachable");
    CHECK(public_suffix_problem(rule("*.\xd1\x80\xd1\x84")).has_value());  // "*.рф" is "*.xn--p1ai"
    CHECK_FALSE(public_suffix_problem(rule("com")).has_value());           // the one host "com"
    CHECK_FALSE(public_suffix_problem(rule("*.example.com")).has_value());
    CHECK_FALSE(public_suffix_problem(rule("*.githubusercontent.com")).has_value());
    CHECK_FALSE(public_suffix_problem(rule("10.0.0.0/8")).has_value());
}
