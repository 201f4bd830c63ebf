#include <doctest/doctest.h>

#include "net/matcher.hpp"

using namespace mxc::net;

namespace {

Matcher make(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
    auto m = Matcher::from_strings(allow, deny);
    REQUIRE(m.ok());
    return std::move(m).value();
}

struct DecideCase {
    const char* host;
    int port;
    bool allowed;
    const char* rule;
};

IpAddr ip(const char* text) {
    auto t = normalize_host(text);
    REQUIRE(t.ok());
    REQUIRE(t->is_ip);
    return t->ip;
}

}  // namespace

TEST_CASE("decide matches hosts, wildcards, CIDRs and ports, deny beats allow") {
    Matcher m = make({"github.com", "*.githubusercontent.com:443", "registry.npmjs.org", "10.0.0.0/8:5432",
                      "[::1]:8080", "*.example.org:*", "[2001:db8::]/32:*",
                      "b\xc3\xbc"
                      "cher.de",
                      "127.0.0.1:9000", "*.github.com"},
                     {"gist.github.com", "10.9.0.0/16:*", "bad.example.org:*"});
    const DecideCase cases[] = {
        {"github.com", 443, true, "github.com"},
        {"github.com", 80, true, "github.com"},
        {"github.com", 22, false, ""},
        {"GitHub.COM.", 443, true, "github.com"},
        {"api.github.com", 443, true, "*.github.com"},
        {"evil.com.github.com", 443, true, "*.github.com"},  // a real subdomain
        {"github.com.evil.com", 443, false, ""},
        {"evilgithub.com", 443, false, ""},
        {"gist.github.com", 443, false, "gist.github.com"},
        {"GIST.github.com.", 443, false, "gist.github.com"},
        {"raw.githubusercontent.com", 443, true, "*.githubusercontent.com:443"},
        {"raw.githubusercontent.com", 80, false, ""},
        {"githubusercontent.com", 443, false, ""},
        {"registry.npmjs.org", 443, true, "registry.npmjs.org"},
        {"npmjs.org", 443, false, ""},
        {"10.1.2.3", 5432, true, "10.0.0.0/8:5432"},
        {"10.1.2.3", 5433, false, ""},
        {"10.9.1.1", 5432, false, "10.9.0.0/16:*"},
        {"012.1.2.3", 5432, true, "10.0.0.0/8:5432"},
        {"167772161", 5432, true, "10.0.0.0/8:5432"},
        {"11.0.0.1", 5432, false, ""},
        {"[::1]", 8080, true, "[::1]:8080"},
        {"::1", 8080, true, "[::1]:8080"},
        {"[::1]", 8081, false, ""},
        {"127.0.0.1", 8080, false, ""},
        {"127.0.0.1", 9000, true, "127.0.0.1:9000"},
        {"0x7f.1", 9000, true, "127.0.0.1:9000"},
        {"2130706433", 9000, true, "127.0.0.1:9000"},
        {"[::ffff:127.0.0.1]", 9000, true, "127.0.0.1:9000"},
        {"0177.0.0.1", 9000, true, "127.0.0.1:9000"},
        {"127.0.0.2", 9000, false, ""},
        {"a.example.org", 1, true, "*.example.org:*"},
        {"a.b.example.org", 65535, true, "*.example.org:*"},
        {"example.org", 443, false, ""},
        {"bad.example.org", 443, false, "bad.example.org:*"},
        {"x.bad.example.org", 443, true, "*.example.org:*"},
        {"[2001:db8:1::5]", 22, true, "[2001:db8::]/32:*"},
        {"[2001:db9::5]", 22, false, ""},
        {"xn--bcher-kva.de", 443, true,
         "b\xc3\xbc"
         "cher.de"},
        {"B\xc3\x9c"
         "CHER.de",
         443, true,
         "b\xc3\xbc"
         "cher.de"},
        {"xn--bcher-kva.de", 8443, false, ""},
        {"localhost", 443, false, ""},
        {"", 443, false, ""},
        {"a..b", 443, false, ""},
        {"1.2.3.256", 443, false, ""},
    };
    for (const auto& c : cases) {
        std::string host = c.host;
        CAPTURE(host);
        CAPTURE(c.port);
        Decision d = m.decide(c.host, static_cast<std::uint16_t>(c.port));
        CHECK(d.allowed == c.allowed);
        CHECK(d.rule == c.rule);
    }
}

TEST_CASE("an empty matcher denies everything") {
    Matcher m;
    CHECK_FALSE(m.decide("github.com", 443).allowed);
    CHECK(m.decide("github.com", 443).why == Decision::Why::NoRule);
    CHECK_FALSE(m.decide("127.0.0.1", 80).allowed);
}

TEST_CASE("a bad requested host is BadHost, not a crash") {
    Matcher m = make({"github.com"});
    Decision d = m.decide("git hub.com", 443);
    CHECK_FALSE(d.allowed);
    CHECK(d.why == Decision::Why::BadHost);
}

TEST_CASE("check_address: a host rule reaches private but not sensitive addresses") {
    Matcher m =
        make({"internal.corp", "github.com", "localhost:8080", "127.0.0.1:8080"}, {"192.168.66.0/24:*"});
    auto name = [](const char* n) { return *normalize_host(n); };
    struct Case {
        const char* host;
        const char* addr;
        int port;
        bool allowed;
    };
    const Case cases[] = {
        {"internal.corp", "10.1.2.3", 443, true},
        {"internal.corp", "192.168.1.1", 443, true},
        {"internal.corp", "172.16.0.1", 80, true},
        {"internal.corp", "fd00::1", 443, true},
        {"github.com", "140.82.112.3", 443, true},
        {"github.com", "127.0.0.1", 443, false},
        {"github.com", "127.8.9.10", 443, false},
        {"github.com", "::1", 443, false},
        {"github.com", "::ffff:127.0.0.1", 443, false},
        {"github.com", "169.254.169.254", 80, false},
        {"github.com", "::ffff:169.254.169.254", 80, false},
        {"github.com", "fe80::1", 443, false},
        {"github.com", "febf::1", 443, false},
        {"github.com", "0.0.0.0", 443, false},
        {"github.com", "::", 443, false},
        {"github.com", "::127.0.0.1", 443, false},
        {"github.com", "64:ff9b::7f00:1", 443, false},
        {"github.com", "fd00:ec2::254", 80, false},
        {"github.com", "192.168.66.7", 443, false},
        {"github.com", "::ffff:192.168.66.7", 443, false},
        {"github.com", "192.168.67.7", 443, true},
        {"localhost", "127.0.0.1", 8080, true},   // explicit IP rule
        {"localhost", "127.0.0.2", 8080, false},  // not covered by it
        {"localhost", "::1", 8080, false},
        {"example.com", "93.184.216.34", 443, false},  // name itself not allowed
    };
    for (const auto& c : cases) {
        std::string host = c.host, addr = c.addr;
        CAPTURE(host);
        CAPTURE(addr);
        Decision d = m.check_address(name(c.host), ip(c.addr), static_cast<std::uint16_t>(c.port), {});
        CHECK(d.allowed == c.allowed);
    }
    Decision lo = m.check_address(name("github.com"), ip("127.0.0.1"), 443, {});
    CHECK(lo.why == Decision::Why::SensitiveAddress);
    CHECK(lo.detail.find("127.0.0.1") != std::string::npos);
    Decision denied = m.check_address(name("github.com"), ip("192.168.66.7"), 443, {});
    CHECK(denied.why == Decision::Why::DeniedByRule);
    CHECK(denied.rule == "192.168.66.0/24:*");
}

TEST_CASE("check_address on an IP target is the literal's own decision") {
    Matcher m = make({"127.0.0.1:8080"});
    auto t = *normalize_host("0x7f.1");
    CHECK(m.check_address(t, t.ip, 8080, {}).allowed);
    CHECK_FALSE(m.check_address(t, t.ip, 8081, {}).allowed);
}

TEST_CASE("check_address: an address of this host is reached only through an explicit IP rule") {
    // An allowed name resolving to one of this host's interface addresses
    // would reach services bound to 0.0.0.0, as loopback would.
    Matcher m = make({"intranet.example", "*.example.org:*", "192.0.2.2:8080", "[fd00::2]:8080"});
    auto name = [](const char* n) { return *normalize_host(n); };
    const std::vector<IpAddr> local = {ip("192.0.2.2"), ip("fd00::2"), ip("127.0.0.1")};

    Decision d = m.check_address(name("intranet.example"), ip("192.0.2.2"), 443, local);
    CHECK_FALSE(d.allowed);
    CHECK(d.why == Decision::Why::SensitiveAddress);
    CHECK(d.rule.empty());
    CHECK(d.detail.find("192.0.2.2") != std::string::npos);
    CHECK(d.detail.find("an address of this host") != std::string::npos);
    CHECK(d.detail.find("\"192.0.2.2:443\"") != std::string::npos);  // the rule to add

    CHECK_FALSE(m.check_address(name("a.example.org"), ip("fd00::2"), 22, local).allowed);
    CHECK_FALSE(m.check_address(name("a.example.org"), ip("::ffff:192.0.2.2"), 22, local).allowed);
    // The explicit IP rules reach it, on their port only.
    Decision by_ip = m.check_address(name("a.example.org"), ip("192.0.2.2"), 8080, local);
    CHECK(by_ip.allowed);
    CHECK(by_ip.rule == "192.0.2.2:8080");
    CHECK(m.check_address(name("a.example.org"), ip("fd00::2"), 8080, local).allowed);
    // Another address of the same subnet is just a private address.
    CHECK(m.check_address(name("intranet.example"), ip("192.0.2.3"), 443, local).allowed);
    // Without the injected list the same address is an ordinary one.
    CHECK(m.check_address(name("intranet.example"), ip("192.0.2.2"), 443, {}).allowed);
    // An IP target is judged by its own rules, as before.
    auto literal = *normalize_host("192.0.2.2");
    CHECK(m.check_address(literal, literal.ip, 8080, local).allowed);
    CHECK_FALSE(m.check_address(literal, literal.ip, 443, local).allowed);
}

TEST_CASE("suggest_rule writes the form a user would add") {
    CHECK(suggest_rule(*normalize_host("Example.com"), 443) == "example.com");
    CHECK(suggest_rule(*normalize_host("example.com"), 8443) == "example.com:8443");
    CHECK(suggest_rule(*normalize_host("::1"), 8080) == "[::1]:8080");
    CHECK(suggest_rule(*normalize_host("127.1"), 80) == "127.0.0.1:80");
}

TEST_CASE("Matcher::from_strings reports the first invalid rule") {
    auto m = Matcher::from_strings({"github.com", "http://x/"}, {});
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message.find("http://x/") != std::string::npos);
}

namespace {
Target name(const char* text) {
    auto t = normalize_host(text);
    REQUIRE(t.ok());
    return *t;
}
}  // namespace

TEST_CASE("decide_name: a name is answered when some port of an allow rule is allowed") {
    Matcher m = make({"github.com", "*.example.org:*", "db.internal:5432", "api.test:8443", "10.0.0.0/8"},
                     {"gist.github.com", "bad.example.org:*", "api.test:8443", "half.example.org:1",
                      "half.example.org:2"});
    std::vector<std::uint16_t> ports;
    Decision d = m.decide_name(name("GitHub.com."), &ports);
    CHECK(d.allowed);
    CHECK(d.rule == "github.com");
    CHECK(ports == std::vector<std::uint16_t>{80, 443});

    d = m.decide_name(name("db.internal"), &ports);
    CHECK(d.allowed);
    CHECK(ports == std::vector<std::uint16_t>{5432});

    // Any-port wildcard: one port no deny rule lists stands for the rest.
    d = m.decide_name(name("a.example.org"), &ports);
    CHECK(d.allowed);
    CHECK(d.rule == "*.example.org:*");
    CHECK(ports == std::vector<std::uint16_t>{1});
    d = m.decide_name(name("half.example.org"), &ports);
    CHECK(d.allowed);
    CHECK(ports == std::vector<std::uint16_t>{3});

    // Denied on every port the allow rules give.
    d = m.decide_name(name("bad.example.org"), &ports);
    CHECK_FALSE(d.allowed);
    CHECK(d.why == Decision::Why::DeniedByRule);
    CHECK(d.rule == "bad.example.org:*");
    CHECK(ports.empty());
    d = m.decide_name(name("api.test"));
    CHECK_FALSE(d.allowed);
    CHECK(d.rule == "api.test:8443");
    // An exact deny on the default ports of an exact allow.
    d = m.decide_name(name("gist.github.com"));
    CHECK_FALSE(d.allowed);

    // No rule; look-alikes; the parent of a wildcard.
    CHECK(m.decide_name(name("example.com")).why == Decision::Why::NoRule);
    CHECK_FALSE(m.decide_name(name("github.com.evil.com")).allowed);
    CHECK_FALSE(m.decide_name(name("example.org")).allowed);
    // A CIDR rule never makes a name answerable; an address is no name.
    CHECK_FALSE(m.decide_name(name("10.1.2.3")).allowed);
    CHECK_FALSE(Matcher{}.decide_name(name("github.com")).allowed);
}
