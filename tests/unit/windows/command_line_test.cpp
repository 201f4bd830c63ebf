#include <doctest/doctest.h>

#include "platform/windows/plan/command_line.hpp"

using mxc::platform::win::build_command_line;
using mxc::platform::win::quote_argument;
using mxc::platform::win::split_command_line;

TEST_CASE("plain arguments are not quoted") {
    CHECK(build_command_line({"cmd", "/c", "exit", "7"}) == "cmd /c exit 7");
}

TEST_CASE("arguments with spaces or tabs are quoted") {
    CHECK(quote_argument("a b") == "\"a b\"");
    CHECK(quote_argument("a\tb") == "\"a\tb\"");
}

TEST_CASE("an empty argument becomes an empty quoted string") {
    CHECK(quote_argument("") == "\"\"");
    CHECK(build_command_line({"x", "", "y"}) == "x \"\" y");
}

TEST_CASE("embedded quotes are backslash-escaped") {
    CHECK(quote_argument("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(quote_argument("\"") == "\"\\\"\"");
}

TEST_CASE("backslashes not before a quote stay literal") {
    CHECK(quote_argument("C:\\dir\\file") == "C:\\dir\\file");
    CHECK(quote_argument("C:\\a dir\\file") == "\"C:\\a dir\\file\"");
}

TEST_CASE("backslashes before an embedded quote are doubled plus one") {
    // a\"b  ->  "a\\\"b"
    CHECK(quote_argument("a\\\"b") == "\"a\\\\\\\"b\"");
}

TEST_CASE("trailing backslashes are doubled before the closing quote") {
    CHECK(quote_argument("C:\\a dir\\") == "\"C:\\a dir\\\\\"");
    CHECK(quote_argument("x y\\\\") == "\"x y\\\\\\\\\"");
    // Unquoted arguments keep a trailing backslash as is.
    CHECK(quote_argument("C:\\dir\\") == "C:\\dir\\");
}

TEST_CASE("the MSVCRT splitter reads back exactly the argv that was quoted") {
    const std::vector<std::vector<std::string>> cases = {
        {"prog"},
        {"prog", ""},
        {"prog", "", ""},
        {"prog", "a b", "c"},
        {"prog", "\"", "\\", "\\\\"},
        {"prog", "a\\\"b", "a\\\\\"b", "trailing\\", "sp trailing\\", "sp trailing\\\\"},
        {"prog", "tab\there", "nl\nhere", "vt\vhere"},
        {"prog", "\"quoted\"", "mid\"dle", "\\\"\\\""},
        {"prog", "%PATH%", "^&|<>", "semi;colon"},
    };
    for (const auto& argv : cases) {
        CAPTURE(build_command_line(argv));
        CHECK(split_command_line(build_command_line(argv)) == argv);
    }
}

TEST_CASE("splitter follows the documented MSVCRT examples") {
    // From Microsoft's "Parsing C++ command-line arguments" table.
    CHECK(split_command_line(R"("abc" d e)") == std::vector<std::string>{"abc", "d", "e"});
    CHECK(split_command_line(R"(a\\b d"e f"g h)") == std::vector<std::string>{"a\\\\b", "de fg", "h"});
    CHECK(split_command_line(R"(a\\\"b c d)") == std::vector<std::string>{"a\\\"b", "c", "d"});
    CHECK(split_command_line(R"(a\\\\"b c" d e)") == std::vector<std::string>{"a\\\\b c", "d", "e"});
    CHECK(split_command_line(R"(a"b"" c d)") == std::vector<std::string>{"ab\" c d"});
}

TEST_CASE("batch refusal: every spelling CreateProcess treats as a .bat or .cmd is a batch script") {
    using mxc::platform::win::is_batch_script;
    for (std::string p : {"C:\\t\\t.bat", "C:\\t\\T.BAT", "C:\\t\\t.cmd", "C:\\t\\t.bat.", "C:\\t\\t.bat ",
                          "C:\\t\\t.bat. . ", "C:\\t\\t.bat::$DATA", "C:\\t\\t.bat::$data",
                          "C:\\t\\t.Cmd::$DATA. ", "C:\\t\\t.bat. ::$DATA", "t.bat...", "C:/t/t.bat "})
        CHECK_MESSAGE(is_batch_script(p), p);
    for (std::string p : {"C:\\t\\t.exe", "C:\\t\\t.bat.exe", "C:\\t\\t.batx", "C:\\t.bat\\t.exe",
                          "C:\\t\\bat", "C:\\t\\t.exe::$DATA"})
        CHECK_FALSE_MESSAGE(is_batch_script(p), p);
}

TEST_CASE("batch refusal: normalisation strips only what Win32 strips") {
    using mxc::platform::win::effective_file_name;
    CHECK(effective_file_name("C:\\t\\t.bat. ") == "t.bat");
    CHECK(effective_file_name("C:\\t\\t.bat::$DATA") == "t.bat");
    CHECK(effective_file_name("C:\\t\\t.exe") == "t.exe");
    CHECK(effective_file_name("C:\\t\\a b.exe") == "a b.exe");
}

TEST_CASE("alternate data streams are never started") {
    using mxc::platform::win::names_stream;
    CHECK(names_stream("C:\\t\\t.txt:evil.exe"));
    CHECK(names_stream("C:\\t\\t.txt:evil.exe:$DATA"));
    CHECK_FALSE(names_stream("C:\\t\\t.exe"));
    CHECK_FALSE(names_stream("C:\\t\\t.exe::$DATA"));  // the default stream: the file itself
    CHECK_FALSE(names_stream("C:t.exe"));
}
