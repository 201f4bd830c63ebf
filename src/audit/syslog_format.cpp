#include "audit/syslog_format.hpp"

namespace mxc::audit {
namespace {

bool printable_ascii(char c) {
    return c > ' ' && c < 0x7f;
}

// HOSTNAME, APP-NAME and MSGID are PRINTUSASCII without spaces, bounded.
std::string header_field(std::string_view text, std::size_t max) {
    if (text.empty() || text.size() > max) return "-";
    for (char c : text) {
        if (!printable_ascii(c)) return "-";
    }
    return std::string(text);
}

}  // namespace

std::string sd_param_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\' || c == ']') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += '?';
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_rfc5424(const Identity& who, const Record& record, std::string_view hostname, long pid) {
    const int pri = kSyslogFacility * 8 + static_cast<int>(record.severity);
    std::string out = "<" + std::to_string(pri) + ">1 ";
    out += header_field(record.ts, 64);
    out += ' ';
    out += header_field(hostname, 255);
    out += " mxc ";
    out += std::to_string(pid);
    out += ' ';
    out += header_field(record.event, 32);
    out += " [";
    out += kSyslogSdId;
    auto param = [&](const char* name, std::string_view value) {
        out += ' ';
        out += name;
        out += "=\"";
        out += sd_param_value(value);
        out += '"';
    };
    for_each_identity_field(who, param);
    out += "] ";
    out += record.json;
    return out;
}

}  // namespace mxc::audit
