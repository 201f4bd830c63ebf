#include "net/host_rule.hpp"

#include <algorithm>

#include "net/idna.hpp"

namespace mxc::net {
namespace {

constexpr std::size_t kMaxRuleLength = 1024;

Error rule_error(std::string_view text, const std::string& why) {
    return make_error("host rule \"" + std::string(text) + "\": " + why);
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Lowercase punycode name, no trailing dot, LDH (+ '_') labels of 1..63.
Result<std::string> normalize_name(std::string_view raw) {
    std::string_view name = raw;
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return make_error("empty host name");
    auto ascii = idna_to_ascii(name);
    if (!ascii) return ascii.error();
    std::string out = std::move(ascii).value();
    // IDNA maps U+3002 (ideographic full stop) to '.', so a non-ASCII name may
    // gain its trailing dot only now. An ASCII one still ending in '.' had "..".
    bool was_ascii =
        std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!was_ascii && !out.empty() && out.back() == '.') out.pop_back();
    if (out.empty() || out.size() > 253)
        return make_error("host name \"" + std::string(raw) + "\" is empty or longer than 253 characters");
    std::size_t label_len = 0;
    for (char c : out) {
        if (c == '.') {
            if (label_len == 0)
                return make_error("host name \"" + std::string(raw) + "\" has an empty label");
            label_len = 0;
            continue;
        }
        if (!is_name_char(c))
            return make_error("host name \"" + std::string(raw) + "\" contains '" + std::string(1, c) +
                              "'; only letters, digits, '-', '_' and '.' are allowed");
        if (++label_len > 63)
            return make_error("host name \"" + std::string(raw) + "\" has a label longer than 63 characters");
    }
    if (label_len == 0) return make_error("host name \"" + std::string(raw) + "\" has an empty label");
    return out;
}

Result<PortSet> parse_ports(std::string_view rule, std::string_view p) {
    PortSet ports;
    if (p == "*") {
        ports.any = true;
        return ports;
    }
    if (p.empty() || p.size() > 5 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return rule_error(rule, "port \"" + std::string(p) + "\" is not a number 1-65535 or \"*\"");
    unsigned v = 0;
    for (char c : p) v = v * 10 + static_cast<unsigned>(c - '0');
    if (v == 0 || v > 65535) return rule_error(rule, "port " + std::string(p) + " is out of range 1-65535");
    ports.ports.push_back(static_cast<std::uint16_t>(v));
    return ports;
}

Result<int> parse_prefix(std::string_view rule, std::string_view p, int max) {
    if (p.empty() || p.size() > 3 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return rule_error(rule, "prefix length \"/" + std::string(p) + "\" is not a number");
    int v = 0;
    for (char c : p) v = v * 10 + (c - '0');
    if (v > max)
        return rule_error(rule, "prefix length /" + std::string(p) + " exceeds /" + std::to_string(max));
    return v;
}

IpNet mask(IpNet net) {
    for (int bit = net.prefix; bit < 128; ++bit)
        net.addr[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    return net;
}

// Builds a CIDR rule and refuses host bits below the prefix: "10.1.2.3/8"
// is more likely a typo than a wish for all of 10/8.
Result<IpNet> make_net(std::string_view rule, const IpAddr& addr, int prefix128) {
    IpNet net;
    net.addr = addr.bytes;
    net.prefix = prefix128;
    net.is_v4 = addr.is_v4() && prefix128 >= 96;
    IpNet masked = mask(net);
    if (masked.addr != net.addr) {
        IpAddr m;
        m.bytes = masked.addr;
        int shown = net.is_v4 ? prefix128 - 96 : prefix128;
        std::string suggestion = net.is_v4 ? format_ip(m) + "/" + std::to_string(shown)
                                           : "[" + format_ip(m) + "]/" + std::to_string(shown);
        return rule_error(rule,
                          "address has bits set beyond the prefix; did you mean \"" + suggestion + "\"?");
    }
    return net;
}

}  // namespace

bool PortSet::contains(std::uint16_t port) const {
    if (any) return true;
    if (ports.empty()) return port == 80 || port == 443;
    return std::find(ports.begin(), ports.end(), port) != ports.end();
}

bool net_contains(const IpNet& net, const IpAddr& addr) {
    int full = net.prefix / 8;
    for (int i = 0; i < full; ++i)
        if (net.addr[static_cast<std::size_t>(i)] != addr.bytes[static_cast<std::size_t>(i)]) return false;
    int rest = net.prefix % 8;
    if (rest == 0) return true;
    auto m = static_cast<std::uint8_t>(0xff00u >> rest);
    return (net.addr[static_cast<std::size_t>(full)] & m) == (addr.bytes[static_cast<std::size_t>(full)] & m);
}

std::string Target::text() const {
    return is_ip ? format_ip(ip) : name;
}

Result<Target> normalize_host(std::string_view host) {
    Target t;
    if (host.empty()) return make_error("empty host");
    if (host.size() > 1024) return make_error("host name too long");
    // A NUL would end the name early for C APIs (libidn2, getaddrinfo), so
    // the name checked and the name used could differ.
    for (unsigned char ch : host)
        if (ch < 0x20 || ch == 0x7f) return make_error("host contains a control character");
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']')
            return make_error("malformed IPv6 literal \"" + std::string(host) + "\"");
        host = host.substr(1, host.size() - 2);
        auto v6 = parse_ipv6(host);
        if (!v6) return make_error("\"" + std::string(host) + "\" is not a valid IPv6 address");
        t.is_ip = true;
        t.ip = *v6;
        return t;
    }
    if (host.find(':') != std::string_view::npos) {
        auto v6 = parse_ipv6(host);
        if (!v6) return make_error("\"" + std::string(host) + "\" is not a valid IPv6 address or host name");
        t.is_ip = true;
        t.ip = *v6;
        return t;
    }
    if (auto v4 = parse_ipv4_any(host)) {
        t.is_ip = true;
        t.ip = IpAddr::from_v4(*v4);
        return t;
    }
    if (ends_in_number(host))
        return make_error("\"" + std::string(host) + "\" looks like an IPv4 address but is not a valid one");
    auto name = normalize_name(host);
    if (!name) return name.error();
    // IDNA can turn full-width digits into ASCII ones; judge the result again.
    if (auto v4 = parse_ipv4_any(*name)) {
        t.is_ip = true;
        t.ip = IpAddr::from_v4(*v4);
        return t;
    }
    if (ends_in_number(*name))
        return make_error("\"" + std::string(host) + "\" looks like an IPv4 address but is not a valid one");
    t.name = std::move(name).value();
    return t;
}

Result<HostRule> parse_host_rule(std::string_view text) {
    HostRule rule;
    rule.text = std::string(text);
    if (text.empty())
        return make_error("empty host rule; write a host such as \"example.com\" or \"10.0.0.0/8:5432\"");
    if (text.size() > kMaxRuleLength)
        return rule_error(text.substr(0, 64), "rule is longer than 1024 characters");
    for (unsigned char c : text)
        if (c <= 0x20 || c == 0x7f) return rule_error(text, "contains whitespace or a control character");
    if (text.find("://") != std::string_view::npos)
        return rule_error(text,
                          "rules are host names, not URLs; write just the host, e.g. \"example.com\" or "
                          "\"example.com:8443\"");

    std::string_view host = text;
    std::string_view prefix;
    bool has_prefix = false;
    std::string_view port;
    bool has_port = false;

    if (text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return rule_error(text, "missing ']' after IPv6 address");
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() == '/') {
            std::size_t colon = rest.find(':');
            prefix = rest.substr(1, colon == std::string_view::npos ? rest.npos : colon - 1);
            has_prefix = true;
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
        }
        if (!rest.empty()) {
            if (rest.front() != ':')
                return rule_error(text,
                                  "unexpected text after ']'; write \"[::1]:8080\" or \"[2001:db8::]/32:*\"");
            port = rest.substr(1);
            has_port = true;
        }
        auto v6 = parse_ipv6(host);
        if (!v6) return rule_error(text, "\"" + std::string(host) + "\" is not a valid IPv6 address");
        int plen = 128;
        if (has_prefix) {
            auto p = parse_prefix(text, prefix, 128);
            if (!p) return p.error();
            plen = *p;
        }
        auto net = make_net(text, *v6, plen);
        if (!net) return net.error();
        rule.kind = HostRule::Kind::Cidr;
        rule.net = *net;
    } else {
        std::size_t first_colon = text.find(':');
        if (first_colon != std::string_view::npos &&
            text.find(':', first_colon + 1) != std::string_view::npos)
            return rule_error(text,
                              "IPv6 addresses need brackets, e.g. \"[::1]:8080\" or \"[2001:db8::]/32\"");
        if (first_colon != std::string_view::npos) {
            host = text.substr(0, first_colon);
            port = text.substr(first_colon + 1);
            has_port = true;
        }
        std::size_t slash = host.find('/');
        if (slash != std::string_view::npos) {
            prefix = host.substr(slash + 1);
            host = host.substr(0, slash);
            has_prefix = true;
        }
        if (host.empty()) return rule_error(text, "missing host before the port");
        if (host.find('*') != std::string_view::npos) {
            if (has_prefix) return rule_error(text, "a wildcard cannot have a /prefix");
            if (host == "*")
                return rule_error(text,
                                  "\"*\" would allow every host; use [network].mode = \"host\" instead");
            if (host.substr(0, 2) != "*." || host.find('*', 1) != std::string_view::npos)
                return rule_error(text,
                                  "'*' is only allowed as the whole first label, e.g. \"*.example.com\"");
            std::string_view suffix = host.substr(2);
            if (suffix.empty() || suffix == ".")
                return rule_error(text, "\"*.\" needs a domain after it, e.g. \"*.example.com\"");
            if (parse_ipv4_any(suffix) || ends_in_number(suffix))
                return rule_error(text, "a wildcard must be followed by a domain name, not an address");
            auto name = normalize_name(suffix);
            if (!name) return rule_error(text, name.error().message);
            if (ends_in_number(*name))
                return rule_error(text, "a wildcard must be followed by a domain name, not an address");
            rule.kind = HostRule::Kind::Wildcard;
            rule.host = std::move(name).value();
        } else {
            auto target = normalize_host(host);
            if (!target) {
                if (has_prefix && !parse_ipv4_any(host))
                    return rule_error(text,
                                      "a /prefix is only valid after an IP address, e.g. \"10.0.0.0/8\"");
                return rule_error(text, target.error().message);
            }
            if (target->is_ip) {
                int plen = 128;
                if (has_prefix) {
                    auto p = parse_prefix(text, prefix, 32);
                    if (!p) return p.error();
                    plen = 96 + *p;
                }
                auto net = make_net(text, target->ip, plen);
                if (!net) return net.error();
                rule.kind = HostRule::Kind::Cidr;
                rule.net = *net;
            } else {
                if (has_prefix)
                    return rule_error(text,
                                      "a /prefix is only valid after an IP address, e.g. \"10.0.0.0/8\"");
                rule.kind = HostRule::Kind::Exact;
                rule.host = std::move(target->name);
            }
        }
    }
    if (has_port) {
        auto ports = parse_ports(text, port);
        if (!ports) return ports.error();
        rule.ports = std::move(ports).value();
    }
    return rule;
}

}  // namespace mxc::net
