#include "common/json.hpp"

#include <cstdio>

namespace mxc::json {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                            // surrogate
    if (cp > 0x10FFFF) return 0;
    return len;
}

void append_escape(std::string& out, unsigned code) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", code);
    out += buf;
}

}  // namespace

std::string quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    // DEL is legal JSON but escaped so a log viewed in a
                    // terminal cannot carry control bytes.
                    if (c < 0x20 || c == 0x7F)
                        append_escape(out, c);
                    else
                        out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        std::size_t len = utf8_sequence(s, i);
        if (len == 0) {
            append_escape(out, 0xDC00 + c);
            ++i;
        } else if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
            // C1 controls (U+0080..U+009F; U+009B is a one-byte CSI) are legal
            // JSON, escaped for the same reason as DEL.
            append_escape(out, static_cast<unsigned char>(s[i + 1]));
            i += len;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    out += '"';
    return out;
}

void Object::key(std::string_view k) {
    if (body_.size() > 1) body_ += ',';
    body_ += quote(k);
    body_ += ':';
}

Object& Object::field(std::string_view k, std::string_view value) {
    key(k);
    body_ += quote(value);
    return *this;
}

Object& Object::field(std::string_view k, std::int64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

Object& Object::field(std::string_view k, std::uint64_t value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

Object& Object::field(std::string_view k, bool value) {
    key(k);
    body_ += value ? "true" : "false";
    return *this;
}

Object& Object::field(std::string_view k, const std::vector<std::string>& values) {
    std::vector<std::string> quoted;
    quoted.reserve(values.size());
    for (const auto& v : values) quoted.push_back(quote(v));
    return raw(k, array(quoted));
}

Object& Object::raw(std::string_view k, std::string_view json) {
    key(k);
    body_ += json;
    return *this;
}

std::string array(const std::vector<std::string>& json_values) {
    std::string out = "[";
    for (std::size_t i = 0; i < json_values.size(); ++i) {
        if (i != 0) out += ',';
        out += json_values[i];
    }
    return out + "]";
}

}  // namespace mxc::json
