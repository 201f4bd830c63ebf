#include "common/json.hpp"

#include <cstdio>

#include "common/utf8.hpp"

namespace mxc::json {
namespace {

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
        std::uint32_t cp = 0;
        std::size_t len = utf8_decode(s, i, cp);
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
