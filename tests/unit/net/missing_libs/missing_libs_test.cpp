// The host-rule checks built with sonames that do not exist (see
// tests/unit/net/CMakeLists.txt): libidn2 and libpsl are loaded on first use,
// and a host without them must refuse what it cannot check, never accept it.
#include <doctest/doctest.h>

#include <string>

#include "net/idna.hpp"
#include "net/public_suffix.hpp"

using namespace mxc::net;

TEST_CASE("without libpsl a wildcard rule is refused as uncheckable, and every name counts as a suffix") {
    const auto why = public_suffix_list_unavailable();
    REQUIRE(why.has_value());
    CHECK(why->find("cannot load the Public Suffix List") != std::string::npos);
    CHECK(is_icann_public_suffix("example.org"));
    HostRule wildcard;
    wildcard.kind = HostRule::Kind::Wildcard;
    wildcard.host = "example.org";
    wildcard.text = "*.example.org";
    const auto problem = public_suffix_problem(wildcard);
    REQUIRE(problem.has_value());
    CHECK(problem->find("\"*.example.org\" cannot be checked against the Public Suffix List") !=
          std::string::npos);
    HostRule exact;
    exact.kind = HostRule::Kind::Exact;
    exact.host = "example.org";
    exact.text = "example.org";
    CHECK_FALSE(public_suffix_problem(exact).has_value());
}

TEST_CASE("without libidn2 a non-ASCII or xn-- name is refused, and a plain ASCII name needs no library") {
    const auto unicode = idna_to_ascii(
        "b\xc3\xbc"
        "cher.de");
    REQUIRE_FALSE(unicode.ok());
    CHECK(unicode.error().message.find("cannot load") != std::string::npos);
    CHECK_FALSE(idna_to_ascii("xn--bcher-kva.de").ok());
    const auto ascii = idna_to_ascii("Example.COM");
    REQUIRE(ascii.ok());
    CHECK(*ascii == "example.com");
}
