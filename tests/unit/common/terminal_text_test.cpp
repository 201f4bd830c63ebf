#include "common/terminal_text.hpp"

#include <doctest/doctest.h>

#include <string>

using mxc::terminal_safe;

TEST_CASE("terminal_safe spells out C0 controls, DEL and ESC sequences") {
    CHECK(terminal_safe("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07");
    CHECK(terminal_safe("a\rb\nc\td") == "a\\x0db\\x0ac\\x09d");
    CHECK(terminal_safe(std::string("nul\0x\x7f", 6)) == "nul\\x00x\\x7f");
}

TEST_CASE("terminal_safe spells out C1 controls and bidi overrides, keeps other UTF-8") {
    CHECK(terminal_safe("\xc2\x9b"
                        "31m") == "\\u009b31m");  // one-byte CSI
    CHECK(terminal_safe("evil\xe2\x80\xae"
                        "txt") == "evil\\u202etxt");
    CHECK(terminal_safe("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80") ==
          "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
}

TEST_CASE("terminal_safe spells out bytes of invalid UTF-8 one by one") {
    CHECK(terminal_safe("\x9b[2J") == "\\x9b[2J");              // raw 8-bit CSI
    CHECK(terminal_safe("\xc3") == "\\xc3");                    // truncated sequence
    CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // encoded surrogate
}

TEST_CASE("terminal_safe leaves printable ASCII alone") {
    const std::string plain = "github.com:443 $(id) `x` 'q' \"d\" \\";
    CHECK(terminal_safe(plain) == plain);
}
