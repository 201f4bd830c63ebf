#include "learn/toml_text.hpp"

#include <cstdint>
#include <cstdio>

#include "common/terminal_text.hpp"
#include "common/utf8.hpp"

namespace mxc::learn {
namespace {

bool needs_escape(std::uint32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::optional<std::string> toml_string(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = utf8_decode(s, i, cp);
        if (len == 0) return std::nullopt;
        if (cp == '"' || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (needs_escape(cp)) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s.substr(i, len));
        }
        i += len;
    }
    return out + "\"";
}

std::string comment_text(std::string_view s) {
    // terminal_safe spells out every control character (line breaks
    // included) and every invalid byte, which is exactly what a comment
    // line must not hold.
    return terminal_safe(s);
}

bool is_plain_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = utf8_decode(s, i, cp);
        if (len == 0 || cp < 0x20 || cp == 0x7F) return false;
        i += len;
    }
    return true;
}

}  // namespace mxc::learn
