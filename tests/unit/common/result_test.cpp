#include "common/result.hpp"
#include <doctest/doctest.h>
using mxc::Result;
TEST_CASE("Result holds a value or an error") {
    Result<int> ok = 3;
    CHECK(ok.ok());
    CHECK(*ok == 3);
    Result<int> bad = mxc::make_error("nope");
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().message == "nope");
}
