#pragma once
// A minimal JSON writer for the audit log and --json outputs. Writing is all
// mxc does with JSON, so a library would add build time for no gain.
//
// Strings may hold any bytes (argv can be invalid UTF-8). Valid UTF-8 passes
// through; each byte of an invalid sequence becomes the lone surrogate
// U+DC80+byte ("\udcXX"), as Python's surrogateescape does: the output is
// always valid JSON text and the original bytes stay recoverable.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxc::json {

// `s` as a quoted JSON string literal.
std::string quote(std::string_view s);

// Builds one JSON object (or array) left to right. Keys and values are
// escaped; nesting via raw() with another Writer's result.
class Object {
public:
    Object& field(std::string_view key, std::string_view value);
    Object& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    Object& field(std::string_view key, std::int64_t value);
    Object& field(std::string_view key, std::uint64_t value);
    Object& field(std::string_view key, int value) { return field(key, static_cast<std::int64_t>(value)); }
    Object& field(std::string_view key, bool value);
    Object& field(std::string_view key, const std::vector<std::string>& values);
    // `json` must already be valid JSON (an object or array built here).
    Object& raw(std::string_view key, std::string_view json);
    [[nodiscard]] std::string str() const { return body_ + "}"; }

private:
    void key(std::string_view k);
    std::string body_ = "{";
};

std::string array(const std::vector<std::string>& json_values);  // values already JSON

}  // namespace mxc::json
