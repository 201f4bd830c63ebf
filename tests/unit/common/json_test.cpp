#include <doctest/doctest.h>

#include <string>

#include "common/json.hpp"

using mxc::json::quote;

TEST_CASE("json quote escapes quotes, backslashes and control characters") {
    CHECK(quote("a\"b\\c") == R"("a\"b\\c")");
    CHECK(quote("line\nnext\ttab") == R"("line\nnext\ttab")");
    CHECK(quote(std::string("\x01\x1f\x7f", 3)) == R"("\u0001\u001f\u007f")");
    CHECK(quote(std::string("a\0b", 3)) == R"("a\u0000b")");
}

TEST_CASE("json quote passes valid UTF-8 through unchanged") {
    CHECK(quote("grüße ✓ 🎉") == "\"grüße ✓ 🎉\"");
}

TEST_CASE("json quote maps each invalid UTF-8 byte to a lone surrogate") {
    CHECK(quote("\xff") == R"("\udcff")");
    CHECK(quote("a\xc3") == R"("a\udcc3")");                              // truncated sequence
    CHECK(quote("\xc0\xaf") == R"("\udcc0\udcaf")");                      // overlong '/'
    CHECK(quote("\xed\xa0\x80") == R"("\udced\udca0\udc80")");            // encoded surrogate
    CHECK(quote("\xf4\x90\x80\x80") == R"("\udcf4\udc90\udc80\udc80")");  // > U+10FFFF
}

TEST_CASE("json object builds fields in order") {
    mxc::json::Object o;
    o.field("s", "x").field("n", 3).field("b", true).field("list", std::vector<std::string>{"a", "b"});
    CHECK(o.str() == R"({"s":"x","n":3,"b":true,"list":["a","b"]})");
}

TEST_CASE("json quote escapes C1 controls so a viewed log carries no terminal controls") {
    CHECK(mxc::json::quote("\xc2\x9b"
                           "2J\xc2\x85") == R"("\u009b2J\u0085")");
    CHECK(mxc::json::quote("\xc2\xa0") == "\"\xc2\xa0\"");  // U+00A0 is not a control
}
