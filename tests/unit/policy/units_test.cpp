#include <doctest/doctest.h>

#include "policy/policy.hpp"

using mxc::policy::parse_duration;
using mxc::policy::parse_size;
using namespace std::chrono_literals;

TEST_CASE("a size without a unit is a number of bytes") {
    CHECK(parse_size("1024").value() == 1024);
    CHECK(parse_size("0").value() == 0);
}

TEST_CASE("SI size units are powers of 1000") {
    CHECK(parse_size("1B").value() == 1);
    CHECK(parse_size("2kB").value() == 2000);
    CHECK(parse_size("2KB").value() == 2000);
    CHECK(parse_size("3MB").value() == 3000000);
    CHECK(parse_size("4GB").value() == 4000000000ULL);
    CHECK(parse_size("5TB").value() == 5000000000000ULL);
}

TEST_CASE("IEC size units are powers of 1024") {
    CHECK(parse_size("1KiB").value() == 1024);
    CHECK(parse_size("512MiB").value() == 512ULL * 1024 * 1024);
    CHECK(parse_size("4GiB").value() == 4ULL * 1024 * 1024 * 1024);
    CHECK(parse_size("1TiB").value() == 1ULL << 40);
    CHECK(parse_size("15EiB").value() == 15ULL << 60);
}

TEST_CASE("sizes in words, with spaces, fractions or ambiguous units are refused") {
    for (const char* bad : {"4 gigs", "4 GiB", "4G", "4gb", "1.5GiB", "GiB", "", "4GiBs", " 4GiB", "0x10"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_size(bad));
    }
}

TEST_CASE("a negative size is refused and says so") {
    auto r = parse_size("-1GiB");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("negative") != std::string::npos);
}

TEST_CASE("a size that does not fit in 64 bits is refused") {
    CHECK_FALSE(parse_size("16EiB"));
    CHECK_FALSE(parse_size("18446744073709551616"));
    CHECK(parse_size("18446744073709551615").value() == 18446744073709551615ULL);
    auto r = parse_size("99999999999999999999999GB");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("too large") != std::string::npos);
}

TEST_CASE("a size error shows accepted forms") {
    auto r = parse_size("4 gigs");
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "invalid size \"4 gigs\" (use a whole number with an optional unit: 1024, 512MiB, 4GiB, 4GB)");
}

TEST_CASE("durations take h, m, s and ms units") {
    CHECK(parse_duration("90s").value() == 90s);
    CHECK(parse_duration("5m").value() == 5min);
    CHECK(parse_duration("1h").value() == 1h);
    CHECK(parse_duration("250ms").value() == 250ms);
}

TEST_CASE("duration units combine largest first") {
    CHECK(parse_duration("1h30m").value() == 90min);
    CHECK(parse_duration("1m30s").value() == 90s);
    CHECK(parse_duration("1h2m3s4ms").value() == 1h + 2min + 3s + 4ms);
    CHECK(parse_duration("2m500ms").value() == 2min + 500ms);
}

TEST_CASE("a bare number is not a duration") {
    auto r = parse_duration("90");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("has no unit") != std::string::npos);
    CHECK_FALSE(parse_duration("1h30"));
}

TEST_CASE("junk, repeated or out-of-order duration units are refused") {
    for (const char* bad :
         {"", "s", "5 m", "5min", "1d", "1.5h", "30m1h", "1h1h", "5m5m", "-5s", "5S", "1hh", "ms5"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad));
    }
}

TEST_CASE("a duration longer than the clock can count is refused") {
    CHECK_FALSE(parse_duration("99999999999999999999h"));
    CHECK_FALSE(parse_duration("9223372036854775807h"));
    CHECK(parse_duration("9223372036854775807ms").value().count() == 9223372036854775807LL);
    CHECK_FALSE(parse_duration("9223372036854775807s"));
}
