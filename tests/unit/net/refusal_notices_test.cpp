// Visible refusals (issue 11): one stderr line per denied host:port, bounded,
// silent under -q, safe for a terminal whatever host the sandbox names.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/matcher.hpp"
#include "net/refusal_notices.hpp"

using mxc::audit::NetEvent;
using mxc::net::RefusalNotices;

namespace {

NetEvent denied(std::string host, std::uint16_t port, std::string rule = "", std::string reason = "",
                std::string via = "proxy", std::string proto = "connect") {
    NetEvent e;
    e.allowed = false;
    e.host = std::move(host);
    e.port = port;
    e.proto = std::move(proto);
    e.rule = std::move(rule);
    e.via = std::move(via);
    e.reason = std::move(reason);
    return e;
}

// The event the proxy would make for `host:port` under these rules.
NetEvent decided(const std::vector<std::string>& allow, const std::vector<std::string>& deny,
                 const std::string& host, std::uint16_t port) {
    auto m = mxc::net::Matcher::from_strings(allow, deny);
    REQUIRE(m.ok());
    auto d = m->decide(host, port);
    NetEvent e = denied(host, port, d.rule, mxc::net::denial_reason(d));
    e.allowed = d.allowed;
    return e;
}

struct Captured {
    std::mutex mutex;
    std::vector<std::string> lines;
    RefusalNotices::Sink sink() {
        return [this](std::string_view l) {
            std::lock_guard lock(mutex);
            lines.emplace_back(l);
        };
    }
};

}  // namespace

TEST_CASE("refusal line: no allow rule names the profile and the rule to add") {
    CHECK(mxc::net::refusal_line(decided({}, {}, "example.org", 443), "coding-agent") ==
          "mxc: blocked example.org:443 (not allowed by \"coding-agent\"; add \"example.org\" to "
          "[network].allow or pass --allow-net example.org)");
    // Other ports are part of the rule; IPv6 is bracketed.
    CHECK(mxc::net::refusal_line(decided({}, {}, "example.org", 8443), "p") ==
          "mxc: blocked example.org:8443 (not allowed by \"p\"; add \"example.org:8443\" to "
          "[network].allow or pass --allow-net example.org:8443)");
    CHECK(mxc::net::refusal_line(decided({}, {}, "2001:db8::1", 443), "p") ==
          "mxc: blocked [2001:db8::1]:443 (not allowed by \"p\"; add \"[2001:db8::1]:443\" to "
          "[network].allow or pass --allow-net [2001:db8::1]:443)");
}

TEST_CASE("refusal line: a deny rule says which rule denied it") {
    NetEvent e = decided({"*.example.org"}, {"bad.example.org"}, "bad.example.org", 443);
    CHECK(e.rule == "bad.example.org");
    CHECK(mxc::net::refusal_line(e, "p") ==
          "mxc: blocked bad.example.org:443 (denied by [network].deny rule \"bad.example.org\")");
    // An event with the rule but no reason (a path that does not fill it) says the same.
    e.reason.clear();
    CHECK(mxc::net::refusal_line(e, "p") ==
          "mxc: blocked bad.example.org:443 (denied by [network].deny rule \"bad.example.org\")");
}

TEST_CASE("refusal line: a name that resolved to loopback or this host says so") {
    auto m = mxc::net::Matcher::from_strings({"local.example"}, {});
    REQUIRE(m.ok());
    auto t = mxc::net::normalize_host("local.example");
    REQUIRE(t.ok());
    const auto loop = mxc::net::IpAddr::from_v4(0x7f000001);
    auto d = m->check_address(*t, loop, 443, {});
    REQUIRE(d.why == mxc::net::Decision::Why::SensitiveAddress);
    std::string line =
        mxc::net::refusal_line(denied("local.example", 443, "", mxc::net::denial_reason(d)), "p");
    CHECK(line.rfind("mxc: blocked local.example:443 (local.example resolved to 127.0.0.1 (loopback", 0) ==
          0);
    CHECK(line.find("add \"127.0.0.1:443\" to [network].allow if intended") != std::string::npos);

    const auto own = mxc::net::IpAddr::from_v4(0xc0000207);  // 192.0.2.7
    d = m->check_address(*t, own, 443, {own});
    line = mxc::net::refusal_line(denied("local.example", 443, "", mxc::net::denial_reason(d)), "p");
    CHECK(line.find("(an address of this host)") != std::string::npos);
}

TEST_CASE("refusal line: an invalid host, a name lookup, a unix socket") {
    CHECK(mxc::net::refusal_line(denied("bad host", 80, "", "invalid character"), "p") ==
          "mxc: blocked bad host:80 (invalid host: invalid character)");
    CHECK(mxc::net::refusal_line(denied("example.org", 0, "", "", "dns", "dns"), "p") ==
          "mxc: blocked name lookup of example.org (not allowed by \"p\"; add \"example.org\" to "
          "[network].allow or pass --allow-net example.org)");
    CHECK(mxc::net::refusal_line(denied("/run/docker.sock", 0, "", "", "connect", "unix"), "p") ==
          "mxc: blocked unix socket /run/docker.sock (not allowed by \"p\"; add it to [network].unix)");
}

TEST_CASE("refusal line: terminal escapes in a host name are spelled out") {
    // What a SOCKS5 client can send as a domain name: any bytes.
    std::string host =
        "\x1b]0;owned\x07x.com\xc2\x9b"
        "31m\r\n";
    std::string line = mxc::net::refusal_line(denied(host, 443, "", "invalid character"), "p");
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find('\x07') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find("\xc2\x9b") == std::string::npos);
    CHECK(line.find("\\x1b]0;owned\\x07x.com\\u009b31m") != std::string::npos);
    // The profile name is printed the same way.
    CHECK(mxc::net::refusal_line(denied("a.com", 443), "\x1b[2J").find('\x1b') == std::string::npos);
}

TEST_CASE("notices: one line per host:port, allowed events print nothing") {
    Captured c;
    RefusalNotices n("p", false, c.sink());
    n.on_event(denied("a.com", 443));
    n.on_event(denied("a.com", 443));
    n.on_event(denied("a.com", 443, "", "", "connect"));  // the broker: same host:port
    n.on_event(denied("a.com", 80));
    NetEvent ok = denied("b.com", 443);
    ok.allowed = true;
    n.on_event(ok);
    ok.error = "connection refused";  // failed upstream: not a refusal
    n.on_event(ok);
    REQUIRE(c.lines.size() == 2);
    CHECK(c.lines[0].rfind("mxc: blocked a.com:443 (", 0) == 0);
    CHECK(c.lines[0].back() == '\n');
    CHECK(c.lines[1].rfind("mxc: blocked a.com:80 (", 0) == 0);
}

TEST_CASE("notices: -q prints nothing") {
    Captured c;
    RefusalNotices n("p", true, c.sink());
    for (int i = 0; i < 100; ++i) n.on_event(denied("h" + std::to_string(i) + ".com", 443));
    CHECK(c.lines.empty());
}

TEST_CASE("notices: after the bound one 'more' line, then silence") {
    Captured c;
    RefusalNotices n("p", false, c.sink(), 5);
    // A million distinct host:port pairs: the output and the memory stay bounded.
    for (int i = 0; i < 1000000; ++i)
        n.on_event(denied("h" + std::to_string(i % 1000) + ".com", static_cast<std::uint16_t>(1 + i / 1000)));
    REQUIRE(c.lines.size() == 6);
    CHECK(c.lines[4].rfind("mxc: blocked h4.com:1 ", 0) == 0);
    CHECK(c.lines[5] == RefusalNotices::kMoreLine);
    CHECK(c.lines[5] == "mxc: more connections blocked; see mxc log\n");
}

TEST_CASE("notices: many threads, each host:port printed once") {
    Captured c;
    RefusalNotices n("p", false, c.sink(), 1000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&n] {
            for (int i = 0; i < 2000; ++i) n.on_event(denied("h" + std::to_string(i % 50) + ".com", 443));
        });
    }
    for (auto& th : threads) th.join();
    CHECK(c.lines.size() == 50);
}
