#include "net/ip_address.hpp"

#include <cstdio>
#include <vector>

namespace mxc::net {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

// One inet_aton() part: 0x.. hex, 0.. octal, else decimal. Values above 2^32
// are rejected rather than wrapped, because wrapping is how "4294967297" would
// sneak in as 0.0.0.1.
std::optional<std::uint64_t> parse_part(std::string_view s) {
    if (s.empty()) return std::nullopt;
    int base = 10;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
        if (s.empty()) return std::nullopt;
    } else if (s.size() >= 2 && s[0] == '0') {
        base = 8;
        s.remove_prefix(1);
    }
    std::uint64_t v = 0;
    for (char c : s) {
        int d;
        if (base == 16) {
            if (!is_hex(c)) return std::nullopt;
            d = hex_value(c);
        } else {
            if (!is_digit(c)) return std::nullopt;
            d = c - '0';
            if (d >= base) return std::nullopt;
        }
        v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
        if (v > 0xffffffffULL) return std::nullopt;
    }
    return v;
}

}  // namespace

bool IpAddr::is_v4() const {
    for (int i = 0; i < 10; ++i)
        if (bytes[static_cast<std::size_t>(i)] != 0) return false;
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

std::uint32_t IpAddr::v4() const {
    return (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
           (std::uint32_t{bytes[14]} << 8) | std::uint32_t{bytes[15]};
}

IpAddr IpAddr::from_v4(std::uint32_t v) {
    IpAddr a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    a.bytes[12] = static_cast<std::uint8_t>(v >> 24);
    a.bytes[13] = static_cast<std::uint8_t>(v >> 16);
    a.bytes[14] = static_cast<std::uint8_t>(v >> 8);
    a.bytes[15] = static_cast<std::uint8_t>(v);
    return a;
}

std::optional<std::uint32_t> parse_ipv4_any(std::string_view text) {
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    std::vector<std::uint64_t> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = text.find('.', start);
        std::string_view part = text.substr(start, dot == std::string_view::npos ? text.npos : dot - start);
        auto v = parse_part(part);
        if (!v) return std::nullopt;
        parts.push_back(*v);
        if (parts.size() > 4) return std::nullopt;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    std::uint32_t result = 0;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (parts[i] > 255) return std::nullopt;
        result |= static_cast<std::uint32_t>(parts[i]) << (8 * (3 - i));
    }
    // The last part fills every remaining byte: "127.1" is 127.0.0.1.
    std::size_t remaining = 4 - (parts.size() - 1);
    std::uint64_t limit = remaining == 4 ? 0xffffffffULL : ((1ULL << (8 * remaining)) - 1);
    if (parts.back() > limit) return std::nullopt;
    result |= static_cast<std::uint32_t>(parts.back());
    return result;
}

std::optional<std::uint32_t> parse_ipv4_dotted(std::string_view text) {
    std::uint32_t result = 0;
    int count = 0;
    std::size_t i = 0;
    while (count < 4) {
        if (i >= text.size() || !is_digit(text[i])) return std::nullopt;
        std::size_t begin = i;
        unsigned v = 0;
        while (i < text.size() && is_digit(text[i])) {
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
            if (i - begin >= 3 || v > 255) return std::nullopt;
            ++i;
        }
        // A leading zero would be octal to inet_aton(); refuse the ambiguity.
        if (i - begin > 1 && text[begin] == '0') return std::nullopt;
        result = (result << 8) | v;
        ++count;
        if (count < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return result;
}

std::optional<IpAddr> parse_ipv6(std::string_view text) {
    if (text.size() < 2 || text.size() > 45) return std::nullopt;
    std::array<std::uint16_t, 8> groups{};
    int n = 0;
    int gap = -1;  // index where "::" was
    std::size_t i = 0;
    if (text.substr(0, 2) == "::") {
        gap = 0;
        i = 2;
        if (i == text.size()) return IpAddr{};
    } else if (text[0] == ':') {
        return std::nullopt;
    }
    while (i < text.size()) {
        if (n >= 8) return std::nullopt;
        std::size_t begin = i;
        while (i < text.size() && is_hex(text[i]) && i - begin < 5) ++i;
        if (i < text.size() && text[i] == '.') {
            // Embedded IPv4 tail: must be last and take two groups.
            if (n > 6) return std::nullopt;
            auto v4 = parse_ipv4_dotted(text.substr(begin));
            if (!v4) return std::nullopt;
            groups[static_cast<std::size_t>(n++)] = static_cast<std::uint16_t>(*v4 >> 16);
            groups[static_cast<std::size_t>(n++)] = static_cast<std::uint16_t>(*v4 & 0xffff);
            break;
        }
        std::size_t len = i - begin;
        if (len == 0 || len > 4) return std::nullopt;
        std::uint16_t g = 0;
        for (std::size_t k = begin; k < i; ++k) g = static_cast<std::uint16_t>((g << 4) | hex_value(text[k]));
        groups[static_cast<std::size_t>(n++)] = g;
        if (i == text.size()) break;
        if (text[i] != ':') return std::nullopt;
        ++i;
        if (i < text.size() && text[i] == ':') {
            if (gap >= 0) return std::nullopt;
            gap = n;
            ++i;
            if (i == text.size()) break;
        } else if (i == text.size()) {
            return std::nullopt;  // trailing single ':'
        }
    }
    IpAddr out;
    if (gap < 0) {
        if (n != 8) return std::nullopt;
    } else {
        if (n >= 8) return std::nullopt;  // "::" must stand for at least one group
    }
    std::array<std::uint16_t, 8> full{};
    if (gap < 0) {
        full = groups;
    } else {
        int tail = n - gap;
        for (int k = 0; k < gap; ++k) full[static_cast<std::size_t>(k)] = groups[static_cast<std::size_t>(k)];
        for (int k = 0; k < tail; ++k) {
            int to = 8 - tail + k;
            int from = gap + k;
            full[static_cast<std::size_t>(to)] = groups[static_cast<std::size_t>(from)];
        }
    }
    for (std::size_t k = 0; k < 8; ++k) {
        out.bytes[2 * k] = static_cast<std::uint8_t>(full[k] >> 8);
        out.bytes[2 * k + 1] = static_cast<std::uint8_t>(full[k] & 0xff);
    }
    return out;
}

bool ends_in_number(std::string_view host) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    std::size_t dot = host.rfind('.');
    std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
    if (last.empty()) return false;
    bool all_digits = true;
    for (char c : last) all_digits = all_digits && is_digit(c);
    if (all_digits) return true;
    if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
        for (char c : last.substr(2))
            if (!is_hex(c)) return false;
        return true;
    }
    return false;
}

std::string format_ip(const IpAddr& a) {
    char buf[64];
    if (a.is_v4()) {
        (void)std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[12], a.bytes[13], a.bytes[14],
                            a.bytes[15]);
        return buf;
    }
    std::array<unsigned, 8> g{};
    for (std::size_t k = 0; k < 8; ++k) g[k] = (unsigned{a.bytes[2 * k]} << 8) | a.bytes[2 * k + 1];
    // RFC 5952: compress the longest run (>= 2) of zero groups, first one wins.
    int best = -1, best_len = 0;
    for (int k = 0; k < 8;) {
        if (g[static_cast<std::size_t>(k)] != 0) {
            ++k;
            continue;
        }
        int j = k;
        while (j < 8 && g[static_cast<std::size_t>(j)] == 0) ++j;
        if (j - k > best_len && j - k >= 2) {
            best = k;
            best_len = j - k;
        }
        k = j;
    }
    std::string out;
    for (int k = 0; k < 8; ++k) {
        if (k == best) {
            out += "::";
            k += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        (void)std::snprintf(buf, sizeof buf, "%x", g[static_cast<std::size_t>(k)]);
        out += buf;
    }
    return out;
}

bool is_sensitive_address(const IpAddr& a) {
    if (a.is_v4()) {
        std::uint32_t v = a.v4();
        if ((v >> 24) == 127) return true;     // loopback 127/8
        if ((v >> 24) == 0) return true;       // 0/8: "this host", 0.0.0.0 reaches localhost
        if ((v >> 16) == 0xa9fe) return true;  // 169.254/16 link-local, cloud metadata
        if (v == 0x646464c8) return true;      // 100.100.100.200 (Alibaba metadata)
        return false;
    }
    // ::/96 covers ::, ::1 and IPv4-compatible forms of 127.x.
    bool first12_zero = true;
    for (std::size_t k = 0; k < 12; ++k) first12_zero = first12_zero && a.bytes[k] == 0;
    if (first12_zero) return true;
    if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
    // fd00:ec2::254, the AWS metadata service over IPv6.
    static constexpr std::array<std::uint8_t, 16> kAwsV6{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                         0,    0,    0,    0,    0, 0, 0x02, 0x54};
    if (a.bytes == kAwsV6) return true;
    // NAT64 (64:ff9b::/96) wraps an IPv4 address; judge the address it wraps.
    static constexpr std::array<std::uint8_t, 12> kNat64{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    bool nat64 = true;
    for (std::size_t k = 0; k < 12; ++k) nat64 = nat64 && a.bytes[k] == kNat64[k];
    if (nat64) {
        IpAddr inner =
            IpAddr::from_v4((std::uint32_t{a.bytes[12]} << 24) | (std::uint32_t{a.bytes[13]} << 16) |
                            (std::uint32_t{a.bytes[14]} << 8) | a.bytes[15]);
        return is_sensitive_address(inner);
    }
    return false;
}

}  // namespace mxc::net
