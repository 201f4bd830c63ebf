#include <doctest/doctest.h>

#include <string>

#include "net/host_rule.hpp"

using namespace mxc::net;

namespace {

struct ParseCase {
    const char* text;
    bool ok;
    HostRule::Kind kind = HostRule::Kind::Exact;
    const char* host = "";  // Exact/Wildcard name, or CIDR address text
    int prefix = -1;        // as written (v4: 0-32)
};

std::string net_text(const IpNet& n) {
    IpAddr a;
    a.bytes = n.addr;
    return format_ip(a);
}

}  // namespace

TEST_CASE("parse_host_rule accepts and normalises valid rules, rejects malformed ones") {
    using K = HostRule::Kind;
    const ParseCase cases[] = {
        {"github.com", true, K::Exact, "github.com"},
        {"GitHub.COM.", true, K::Exact, "github.com"},
        {"GITHUB.com:443", true, K::Exact, "github.com"},
        {"registry.npmjs.org", true, K::Exact, "registry.npmjs.org"},
        {"*.githubusercontent.com:443", true, K::Wildcard, "githubusercontent.com"},
        {"*.GitHub.com.", true, K::Wildcard, "github.com"},
        {"_dmarc.example.com", true, K::Exact, "_dmarc.example.com"},
        {"xn--bcher-kva.de", true, K::Exact, "xn--bcher-kva.de"},
        {"b\xc3\xbc"
         "cher.de",
         true, K::Exact, "xn--bcher-kva.de"},
        {"B\xc3\x9c"
         "CHER.de",
         true, K::Exact, "xn--bcher-kva.de"},
        {"*.b\xc3\xbc"
         "cher.de",
         true, K::Wildcard, "xn--bcher-kva.de"},
        {"localhost", true, K::Exact, "localhost"},
        {"10.0.0.0/8:5432", true, K::Cidr, "10.0.0.0", 8},
        {"10.0.0.0/8", true, K::Cidr, "10.0.0.0", 8},
        {"0.0.0.0/0:*", true, K::Cidr, "0.0.0.0", 0},
        {"127.0.0.1", true, K::Cidr, "127.0.0.1", 32},
        {"127.0.0.1:*", true, K::Cidr, "127.0.0.1", 32},
        {"127.1", true, K::Cidr, "127.0.0.1", 32},
        {"0x7f.1", true, K::Cidr, "127.0.0.1", 32},
        {"0177.0.0.1", true, K::Cidr, "127.0.0.1", 32},
        {"2130706433", true, K::Cidr, "127.0.0.1", 32},
        {"0x7F000001:8080", true, K::Cidr, "127.0.0.1", 32},
        {"127.0.0.1.", true, K::Cidr, "127.0.0.1", 32},
        {"[::1]:8080", true, K::Cidr, "::1", 128},
        {"[::1]", true, K::Cidr, "::1", 128},
        {"[2001:db8::]/32:*", true, K::Cidr, "2001:db8::", 32},
        {"[2001:DB8::]/32", true, K::Cidr, "2001:db8::", 32},
        {"[::ffff:127.0.0.1]", true, K::Cidr, "127.0.0.1", 32},
        {"[::ffff:7f00:1]:80", true, K::Cidr, "127.0.0.1", 32},
        {"[fe80::]/10", true, K::Cidr, "fe80::", 10},
        {"[::]/0:*", true, K::Cidr, "::", 0},
        {"xn--e1afmkfd.xn--p1ai", true, K::Exact, "xn--e1afmkfd.xn--p1ai"},
        {"a-b.example", true, K::Exact, "a-b.example"},
        // Malformed.
        {"", false},
        {"*", false},
        {"*.", false},
        {"*.*.com", false},
        {"foo*.com", false},
        {"*foo.com", false},
        {"a.*.com", false},
        {"http://x/", false},
        {"https://github.com", false},
        {"github.com/path", false},
        {"10.0.0.0/33", false},
        {"10.0.0.0/-1", false},
        {"10.0.0.0/", false},
        {"10.1.2.3/8", false},
        {"[2001:db8::1]/32", false},
        {"[::1]/129", false},
        {"a..b", false},
        {".a.b", false},
        {"..", false},
        {".", false},
        {"example.com:0", false},
        {"example.com:65536", false},
        {"example.com:99999", false},
        {"example.com:", false},
        {"example.com:-1", false},
        {"example.com:+80", false},
        {"example.com:80:80", false},
        {"example.com:http", false},
        {"exa mple.com", false},
        {" example.com", false},
        {"example.com\n", false},
        {"ex!ample.com", false},
        {"ex@mple.com", false},
        {"::1", false},
        {"2001:db8::/32", false},
        {"[::1", false},
        {"[::1]x", false},
        {"[zz::1]", false},
        {"[::1%eth0]", false},
        {"[127.0.0.1]", false},
        {"256.0.0.1", false},
        {"1.2.3.4.5", false},
        {"4294967296", false},
        {"0x100000000", false},
        {"08.0.0.1", false},
        {"example.123", false},
        {"*.10.0.0.1", false},
        {"*.0x7f", false},
        {"xn--", false},
        {"xn--zz-.com", false},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", false},  // 64-char label
        {"example.com/8", false},
        {"*.example.com/8", false},
        {":443", false},
    };
    for (const auto& c : cases) {
        std::string text = c.text;
        CAPTURE(text);
        auto r = parse_host_rule(c.text);
        REQUIRE(r.ok() == c.ok);
        if (!c.ok) {
            CHECK_FALSE(r.error().message.empty());
            continue;
        }
        CHECK(r->kind == c.kind);
        CHECK(r->text == c.text);
        if (c.kind == K::Cidr) {
            CHECK(net_text(r->net) == c.host);
            if (c.prefix >= 0) CHECK(r->net.prefix == (r->net.is_v4 ? 96 + c.prefix : c.prefix));
        } else {
            CHECK(r->host == c.host);
        }
    }
}

TEST_CASE("a 63-character label is accepted, 64 is not") {
    CHECK(parse_host_rule(std::string(63, 'a') + ".com").ok());
    CHECK_FALSE(parse_host_rule(std::string(64, 'a') + ".com").ok());
}

TEST_CASE("IPv6 CIDR prefixes are kept as written") {
    auto r = parse_host_rule("[2001:db8::]/32:*");
    REQUIRE(r.ok());
    CHECK(r->net.prefix == 32);
    CHECK_FALSE(r->net.is_v4);
    CHECK(r->ports.any);
}

TEST_CASE("ports default to 80 and 443, ':*' is any, ':N' is exactly N") {
    auto def = parse_host_rule("example.com");
    REQUIRE(def.ok());
    CHECK(def->ports.contains(80));
    CHECK(def->ports.contains(443));
    CHECK_FALSE(def->ports.contains(8080));
    CHECK_FALSE(def->ports.contains(22));
    auto any = parse_host_rule("example.com:*");
    REQUIRE(any.ok());
    CHECK(any->ports.contains(1));
    CHECK(any->ports.contains(65535));
    auto one = parse_host_rule("example.com:8443");
    REQUIRE(one.ok());
    CHECK(one->ports.contains(8443));
    CHECK_FALSE(one->ports.contains(443));
    auto hi = parse_host_rule("example.com:65535");
    REQUIRE(hi.ok());
    CHECK(hi->ports.contains(65535));
    CHECK(parse_host_rule("example.com:1").ok());
}

TEST_CASE("errors name the rule and suggest a fix") {
    auto url = parse_host_rule("http://x/");
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().message.find("http://x/") != std::string::npos);
    CHECK(url.error().message.find("not URLs") != std::string::npos);
    auto bits = parse_host_rule("10.1.2.3/8");
    REQUIRE_FALSE(bits.ok());
    CHECK(bits.error().message.find("10.0.0.0/8") != std::string::npos);
    auto star = parse_host_rule("*");
    REQUIRE_FALSE(star.ok());
    CHECK(star.error().message.find("mode") != std::string::npos);
    auto v6 = parse_host_rule("::1");
    REQUIRE_FALSE(v6.ok());
    CHECK(v6.error().message.find("brackets") != std::string::npos);
}

TEST_CASE("normalize_host treats every IPv4 notation as the same address") {
    for (const char* h : {"127.0.0.1", "127.1", "0x7f.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433",
                          "0x7f000001", "017700000001", "127.0.1", "[::ffff:127.0.0.1]", "::ffff:127.0.0.1",
                          "127.0.0.1.", "[0:0:0:0:0:ffff:7f00:1]"}) {
        std::string text = h;
        CAPTURE(text);
        auto t = normalize_host(h);
        REQUIRE(t.ok());
        CHECK(t->is_ip);
        CHECK(t->text() == "127.0.0.1");
    }
}

TEST_CASE("normalize_host lowercases names and strips one trailing dot") {
    auto t = normalize_host("WWW.Example.COM.");
    REQUIRE(t.ok());
    CHECK_FALSE(t->is_ip);
    CHECK(t->name == "www.example.com");
    CHECK_FALSE(normalize_host("www.example.com..").ok());
    CHECK_FALSE(normalize_host("").ok());
    CHECK_FALSE(normalize_host("1.2.3.999").ok());
    CHECK_FALSE(normalize_host("[::1").ok());
    CHECK_FALSE(normalize_host(std::string("g\xc3\xafthub.com\0.evil.com", 20)).ok());
    CHECK_FALSE(normalize_host(std::string("github.com\0", 11)).ok());
    CHECK_FALSE(normalize_host("github.com\n").ok());
}

TEST_CASE("format_ip writes RFC 5952 IPv6") {
    CHECK(format_ip(*parse_ipv6("2001:0db8:0000:0000:0000:0000:0000:0001")) == "2001:db8::1");
    CHECK(format_ip(*parse_ipv6("::")) == "::");
    CHECK(format_ip(*parse_ipv6("::1")) == "::1");
    CHECK(format_ip(*parse_ipv6("1:0:0:2:0:0:0:3")) == "1:0:0:2::3");
    CHECK(format_ip(*parse_ipv6("1:2:3:4:5:6:7:8")) == "1:2:3:4:5:6:7:8");
    CHECK(format_ip(*parse_ipv6("fe80::1:0:0:1")) == "fe80::1:0:0:1");
}

TEST_CASE("parse_ipv6 rejects malformed literals") {
    for (const char* s :
         {"", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "::g", "1:", ":1",
          "::1.2.3", "::1.2.3.04", "1.2.3.4::", "::ffff:1.2.3.4:5", "1:2:3:4:5:6:7::8:9"}) {
        CAPTURE(s);
        CHECK_FALSE(parse_ipv6(s).has_value());
    }
    for (const char* s : {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8", "::1.2.3.4",
                          "1:2:3:4:5:6:1.2.3.4", "1::2:3:4:5:6:7"}) {
        CAPTURE(s);
        CHECK(parse_ipv6(s).has_value());
    }
}
