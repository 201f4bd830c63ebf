#include <doctest/doctest.h>

#include "platform/windows/plan/win_path.hpp"

using mxc::platform::win::path_equal;
using mxc::platform::win::path_within;
using mxc::platform::win::to_extended_path;

namespace {
std::string ext(const char* p) {
    auto r = to_extended_path(p);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r->extended;
}
std::string err(const char* p) {
    auto r = to_extended_path(p);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}
}  // namespace

TEST_CASE("drive paths get the long-path prefix and backslashes") {
    CHECK(ext("C:\\work\\proj") == "\\\\?\\C:\\work\\proj");
    CHECK(ext("c:/work/proj/") == "\\\\?\\C:\\work\\proj");
    CHECK(ext("D:\\") == "\\\\?\\D:\\");
}

TEST_CASE("UNC paths become \\\\?\\UNC paths") {
    CHECK(ext("\\\\srv\\share\\dir") == "\\\\?\\UNC\\srv\\share\\dir");
    CHECK(ext("//srv/share") == "\\\\?\\UNC\\srv\\share");
    CHECK(ext("\\\\srv\\srv\\x") == "\\\\?\\UNC\\srv\\srv\\x");
}

TEST_CASE("already-extended paths are kept") {
    CHECK(ext("\\\\?\\C:\\a\\b") == "\\\\?\\C:\\a\\b");
    CHECK(ext("\\\\?\\UNC\\srv\\share\\a") == "\\\\?\\UNC\\srv\\share\\a");
}

TEST_CASE("long paths beyond MAX_PATH are accepted") {
    std::string p = "C:";
    for (int i = 0; i < 40; ++i) p += "\\directory";
    auto r = to_extended_path(p);
    REQUIRE(r.ok());
    CHECK(r->extended.size() > 260);
}

TEST_CASE("dot components are normalised") {
    CHECK(ext("C:\\a\\.\\b\\..\\c") == "\\\\?\\C:\\a\\c");
    CHECK(err("C:\\..").find("above the root") != std::string::npos);
}

TEST_CASE("relative, drive-relative and POSIX paths are rejected") {
    CHECK(err("work\\proj").find("not an absolute Windows path") != std::string::npos);
    CHECK(err("/home/u").find("not an absolute Windows path") != std::string::npos);
    CHECK(err("C:work").find("drive-relative") != std::string::npos);
}

TEST_CASE("alternate data streams are rejected with a fix") {
    auto m = err("C:\\work\\file.txt:secret");
    CHECK(m.find("alternate data streams") != std::string::npos);
    CHECK(m.find("grant the file or directory itself") != std::string::npos);
    CHECK(err("C:\\work\\file.txt::$DATA").find("alternate data streams") != std::string::npos);
}

TEST_CASE("device namespaces and reserved names are rejected") {
    CHECK(err("\\\\.\\PhysicalDrive0").find("device namespace") != std::string::npos);
    CHECK(err("C:\\work\\NUL").find("reserved device name") != std::string::npos);
    CHECK(err("C:\\work\\com1.txt").find("reserved device name") != std::string::npos);
    CHECK(ext("C:\\work\\console") == "\\\\?\\C:\\work\\console");
}

TEST_CASE("trailing dots and spaces are rejected because Win32 strips them") {
    CHECK(err("C:\\work\\dir.").find("ends in '.' or ' '") != std::string::npos);
    CHECK(err("C:\\work\\dir ").find("ends in '.' or ' '") != std::string::npos);
}

TEST_CASE("8.3 short-name components are flagged for resolution") {
    auto r = to_extended_path("C:\\PROGRA~1\\app");
    REQUIRE(r.ok());
    CHECK(r->short_name_suspect);
    CHECK(to_extended_path("C:\\LONGF~12.TXT")->short_name_suspect);
    CHECK_FALSE(to_extended_path("C:\\Program Files\\app")->short_name_suspect);
    CHECK_FALSE(to_extended_path("C:\\a~b\\x")->short_name_suspect);
}

TEST_CASE("path comparison ignores ASCII case and respects component boundaries") {
    CHECK(path_equal("\\\\?\\C:\\Work", "\\\\?\\c:\\WORK"));
    CHECK(path_within("\\\\?\\C:\\work\\proj\\.git", "\\\\?\\C:\\WORK\\Proj"));
    CHECK_FALSE(path_within("\\\\?\\C:\\work\\project", "\\\\?\\C:\\work\\proj"));
    CHECK(path_within("\\\\?\\C:\\x", "\\\\?\\C:\\"));
}
