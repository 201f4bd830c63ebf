// The egress proxy end to end, on 127.0.0.1 only: local upstream servers, the
// proxy on a loopback listener, clients speaking CONNECT, absolute-form HTTP
// and SOCKS5, and curl.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "loopback.hpp"
#include "net/egress_proxy.hpp"
#include "net/proxy_env.hpp"

using namespace mxc;
using mxc::test::Server;

namespace {

// A running proxy plus the audit events it reported.
struct Harness {
    std::unique_ptr<net::EgressProxy> proxy;
    std::uint16_t port = 0;
    std::mutex mutex;
    std::vector<audit::NetEvent> events;

    Harness(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
        auto matcher = net::Matcher::from_strings(allow, deny);
        REQUIRE(matcher.ok());
        auto l = test::listen_loopback();
        port = l.port;
        net::EgressProxyOptions opts;
        opts.profile_name = "test";
        auto p = net::EgressProxy::create(
            l.fd, std::move(matcher).value(),
            [this](const audit::NetEvent& e) {
                std::lock_guard lock(mutex);
                events.push_back(e);
            },
            opts);
        REQUIRE(p.ok());
        proxy = std::move(p).value();
        REQUIRE(proxy->start().ok());
    }
    ~Harness() { proxy->stop(); }

    std::vector<audit::NetEvent> wait_events(std::size_t n) {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard lock(mutex);
                if (events.size() >= n) return events;
            }
            usleep(10000);
        }
        std::lock_guard lock(mutex);
        return events;
    }
};

std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

// CONNECT through the proxy; returns the proxy's reply head (and body on denial).
std::string connect_via(int fd, const std::string& authority) {
    test::send_all(fd, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
    return test::read_head(fd);
}

std::string echo_roundtrip(int fd, const std::string& msg) {
    test::send_all(fd, msg);
    std::string got(msg.size(), '\0');
    if (!test::read_exact(fd, got.data(), got.size())) return "";
    return got;
}

// SOCKS5 greeting + CONNECT request for a domain name; returns the reply code.
int socks_connect(int fd, const std::string& host, std::uint16_t port) {
    test::send_all(fd, bytes({5, 1, 0}));
    char method[2];
    if (!test::read_exact(fd, method, 2) || method[1] != 0) return -1;
    std::string req =
        bytes({5, 1, 0, 3, static_cast<int>(host.size())}) + host + bytes({port >> 8, port & 0xff});
    test::send_all(fd, req);
    char reply[10];
    if (!test::read_exact(fd, reply, 10)) return -1;
    return static_cast<unsigned char>(reply[1]);
}

struct CmdResult {
    int status = -1;
    std::string out;
};

CmdResult run(const std::string& cmd) {
    CmdResult r;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
    int st = ::pclose(f);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

void raise_fd_limit() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

TEST_CASE("CONNECT to an allowed host:port tunnels bytes both ways") {
    Server echo(Server::Kind::Echo);
    Harness h({"127.0.0.1:" + std::to_string(echo.port())});
    int fd = test::connect_loopback(h.port);
    REQUIRE(fd >= 0);
    CHECK(connect_via(fd, "127.0.0.1:" + std::to_string(echo.port())).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(echo_roundtrip(fd, "ping") == "ping");
    ::shutdown(fd, SHUT_WR);
    CHECK(test::read_to_eof(fd).empty());  // half-close travels through and back
    ::close(fd);
    auto ev = h.wait_events(1);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].allowed);
    CHECK(ev[0].proto == "connect");
    CHECK(ev[0].host == "127.0.0.1");
    CHECK(ev[0].port == echo.port());
    CHECK(ev[0].rule == "127.0.0.1:" + std::to_string(echo.port()));
    CHECK(ev[0].bytes_up == 4);
    CHECK(ev[0].bytes_down == 4);
}

TEST_CASE("CONNECT by name works when the name and its loopback address are both allowed") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"localhost:" + p, "127.0.0.1:" + p});
    int fd = test::connect_loopback(h.port);
    CHECK(connect_via(fd, "localhost:" + p).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(echo_roundtrip(fd, "hello") == "hello");
    ::close(fd);
}

TEST_CASE("bytes sent right after the CONNECT head are not lost") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"127.0.0.1:" + p});
    int fd = test::connect_loopback(h.port);
    test::send_all(fd, "CONNECT 127.0.0.1:" + p + " HTTP/1.1\r\n\r\nearly");
    CHECK(test::read_head(fd).rfind("HTTP/1.1 200", 0) == 0);
    char got[5];
    REQUIRE(test::read_exact(fd, got, 5));
    CHECK(std::string(got, 5) == "early");
    ::close(fd);
}

TEST_CASE("a denied CONNECT gets 403 naming the host and the rule to add") {
    Harness h({"github.com"});
    int fd = test::connect_loopback(h.port);
    std::string reply = connect_via(fd, "example.com:443");
    reply += test::read_to_eof(fd);
    CHECK(reply.rfind("HTTP/1.1 403", 0) == 0);
    CHECK(reply.find("mxc: example.com:443 is not allowed by profile \"test\"; add \"example.com\" to "
                     "[network].allow") != std::string::npos);
    ::close(fd);
    auto ev = h.wait_events(1);
    REQUIRE(ev.size() == 1);
    CHECK_FALSE(ev[0].allowed);
    CHECK(ev[0].host == "example.com");
    CHECK(ev[0].rule.empty());
}

TEST_CASE("a name that resolves to loopback is refused without an explicit IP rule") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"localhost:*"});
    int fd = test::connect_loopback(h.port);
    std::string reply = connect_via(fd, "localhost:" + p);
    reply += test::read_to_eof(fd);
    CHECK(reply.rfind("HTTP/1.1 403", 0) == 0);
    CHECK(reply.find("127.0.0.1") != std::string::npos);
    ::close(fd);
    int s = test::connect_loopback(h.port);
    CHECK(socks_connect(s, "localhost", echo.port()) == 0x02);
    ::close(s);
}

TEST_CASE("IP literals in other notations are judged as the address they are") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"127.0.0.1:" + p});
    for (const char* host : {"0x7f.1", "2130706433", "[::ffff:127.0.0.1]", "0177.0.0.1"}) {
        CAPTURE(host);
        int fd = test::connect_loopback(h.port);
        CHECK(connect_via(fd, std::string(host) + ":" + p).rfind("HTTP/1.1 200", 0) == 0);
        ::close(fd);
    }
    int fd = test::connect_loopback(h.port);
    CHECK(connect_via(fd, "0x7f.2:" + p).rfind("HTTP/1.1 403", 0) == 0);
    ::close(fd);
}

TEST_CASE("deny beats allow, for names and for resolved addresses") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"localhost:*", "127.0.0.1:*"}, {"127.0.0.1:" + p});
    int a = test::connect_loopback(h.port);
    CHECK(connect_via(a, "127.0.0.1:" + p).rfind("HTTP/1.1 403", 0) == 0);
    ::close(a);
    int b = test::connect_loopback(h.port);
    std::string reply = connect_via(b, "localhost:" + p);
    reply += test::read_to_eof(b);
    CHECK(reply.rfind("HTTP/1.1 403", 0) == 0);
    CHECK(reply.find("127.0.0.1:" + p) != std::string::npos);
    ::close(b);
    Harness named({"localhost:*", "127.0.0.1:*"}, {"localhost"});
    int c = test::connect_loopback(named.port);
    CHECK(socks_connect(c, "localhost", 80) == 0x02);
    ::close(c);
}

TEST_CASE("an allowed connection whose upstream fails is logged with the reason, not as 0 bytes allowed") {
    // A port nothing listens on: connect() is refused.
    std::uint16_t closed = 0;
    {
        auto l = test::listen_loopback();
        closed = l.port;
        ::close(l.fd);
    }
    const std::string p = std::to_string(closed);
    Harness h({"127.0.0.1:*", "nonexistent.invalid"});
    int fd = test::connect_loopback(h.port);
    std::string reply = connect_via(fd, "127.0.0.1:" + p);
    reply += test::read_to_eof(fd);
    CHECK(reply.rfind("HTTP/1.1 502", 0) == 0);
    ::close(fd);
    // Each event is made when its connection closes: wait for it, so that
    // they arrive in the order checked below.
    REQUIRE(h.wait_events(1).size() == 1);
    int s = test::connect_loopback(h.port);
    CHECK(socks_connect(s, "127.0.0.1", closed) == 0x05);
    ::close(s);
    REQUIRE(h.wait_events(2).size() == 2);
    int r = test::connect_loopback(h.port);
    reply = connect_via(r, "nonexistent.invalid:443");
    reply += test::read_to_eof(r);
    CHECK(reply.rfind("HTTP/1.1 50", 0) == 0);
    ::close(r);
    auto ev = h.wait_events(3);
    REQUIRE(ev.size() == 3);
    for (const auto& e : ev) {
        CAPTURE(e.host);
        CHECK(e.allowed);
        CHECK(e.via == "proxy");
        CHECK(e.reason.empty());
        CHECK(e.bytes_down == 0);
    }
    CHECK(ev[0].error == "connection refused");
    CHECK(ev[0].rule == "127.0.0.1:*");
    CHECK(ev[1].error == "connection refused");
    CHECK(ev[1].proto == "socks5");
    CHECK(ev[2].host == "nonexistent.invalid");
    CHECK((ev[2].error.rfind("cannot resolve: ", 0) == 0 || ev[2].error == "resolving timed out"));
}

TEST_CASE("a successful connection has no error, denials carry the reason beyond a missing rule") {
    Server echo(Server::Kind::Echo);
    const std::string p = std::to_string(echo.port());
    Harness h({"127.0.0.1:" + p, "localhost:*"}, {"blocked.example"});
    int ok = test::connect_loopback(h.port);
    REQUIRE(connect_via(ok, "127.0.0.1:" + p).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(echo_roundtrip(ok, "hi") == "hi");
    ::close(ok);
    auto first = h.wait_events(1);
    REQUIRE(first.size() == 1);
    CHECK(first[0].allowed);
    CHECK(first[0].error.empty());
    for (const char* target : {"blocked.example:443", "other.example:443", "localhost:1"}) {
        int fd = test::connect_loopback(h.port);
        (void)connect_via(fd, target);
        (void)test::read_to_eof(fd);
        ::close(fd);
        first = h.wait_events(first.size() + 1);  // in order: one event per connection
    }
    auto ev = h.wait_events(4);
    REQUIRE(ev.size() == 4);
    CHECK_FALSE(ev[1].allowed);
    CHECK(ev[1].rule == "blocked.example");
    CHECK(ev[1].reason == "denied by [network].deny rule \"blocked.example\"");
    CHECK_FALSE(ev[2].allowed);
    CHECK(ev[2].reason.empty());  // no allow rule: the reader suggests one
    CHECK_FALSE(ev[3].allowed);
    CHECK(ev[3].reason.find("localhost resolved to ") == 0);
    for (const auto& e : ev) CHECK(e.error.empty());
}

TEST_CASE("absolute-form HTTP is forwarded as origin-form with Connection: close") {
    Server http(Server::Kind::Http);
    std::string p = std::to_string(http.port());
    Harness h({"127.0.0.1:" + p});
    int fd = test::connect_loopback(h.port);
    test::send_all(fd,
                   "GET http://127.0.0.1:" + p +
                       "/path?q=1 HTTP/1.1\r\nHost: evil.example\r\nProxy-Connection: keep-alive\r\n\r\n");
    std::string reply = test::read_to_eof(fd);
    CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(reply.find("hello GET /path?q=1 HTTP/1.1") != std::string::npos);
    ::close(fd);
    auto ev = h.wait_events(1);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].proto == "http");
    CHECK(ev[0].bytes_down == reply.size());
}

TEST_CASE("absolute-form HTTP to a denied host gets 403, smuggling framing gets 400") {
    Harness h({"github.com"});
    int fd = test::connect_loopback(h.port);
    test::send_all(fd, "GET http://example.com/ HTTP/1.1\r\n\r\n");
    CHECK(test::read_to_eof(fd).rfind("HTTP/1.1 403", 0) == 0);
    ::close(fd);
    int s = test::connect_loopback(h.port);
    test::send_all(
        s, "POST http://github.com/ HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n");
    CHECK(test::read_to_eof(s).rfind("HTTP/1.1 400", 0) == 0);
    ::close(s);
}

TEST_CASE("SOCKS5 CONNECT by name, IPv4 and reply codes") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"localhost:" + p, "127.0.0.1:" + p});
    int a = test::connect_loopback(h.port);
    REQUIRE(socks_connect(a, "localhost", echo.port()) == 0);
    CHECK(echo_roundtrip(a, "socks") == "socks");
    ::close(a);

    int b = test::connect_loopback(h.port);
    test::send_all(b, bytes({5, 1, 0}));
    char m[2];
    REQUIRE(test::read_exact(b, m, 2));
    test::send_all(b, bytes({5, 1, 0, 1, 127, 0, 0, 1, echo.port() >> 8, echo.port() & 0xff}));
    char r[10];
    REQUIRE(test::read_exact(b, r, 10));
    CHECK(r[1] == 0);
    CHECK(echo_roundtrip(b, "v4") == "v4");
    ::close(b);

    int c = test::connect_loopback(h.port);
    CHECK(socks_connect(c, "example.com", 443) == 0x02);
    ::close(c);

    int d = test::connect_loopback(h.port);
    test::send_all(d, bytes({5, 1, 0}));
    REQUIRE(test::read_exact(d, m, 2));
    test::send_all(d, bytes({5, 1, 0, 9, 1, 2, 3, 4, 0, 80}));
    REQUIRE(test::read_exact(d, r, 10));
    CHECK(r[1] == 0x08);
    ::close(d);

    // An allowed address with nothing listening: connection refused.
    auto closed = test::listen_loopback();
    std::uint16_t dead_port = closed.port;
    ::close(closed.fd);
    Harness h2({"127.0.0.1:*"});
    int e = test::connect_loopback(h2.port);
    test::send_all(e, bytes({5, 1, 0}));
    REQUIRE(test::read_exact(e, m, 2));
    test::send_all(e, bytes({5, 1, 0, 1, 127, 0, 0, 1, dead_port >> 8, dead_port & 0xff}));
    REQUIRE(test::read_exact(e, r, 10));
    CHECK(r[1] == 0x05);
    ::close(e);
}

TEST_CASE("a greeting without the no-auth method is refused with 0xFF") {
    Harness h({"127.0.0.1:*"});
    int fd = test::connect_loopback(h.port);
    test::send_all(fd, bytes({5, 1, 2}));
    char m[2];
    REQUIRE(test::read_exact(fd, m, 2));
    CHECK(static_cast<unsigned char>(m[1]) == 0xff);
    ::close(fd);
}

TEST_CASE("1 GiB through CONNECT arrives byte-exact") {
    Server bulk(Server::Kind::Bulk);
    std::string p = std::to_string(bulk.port());
    Harness h({"127.0.0.1:" + p});
    int fd = test::connect_loopback(h.port);
    REQUIRE(connect_via(fd, "127.0.0.1:" + p).rfind("HTTP/1.1 200", 0) == 0);
    const std::uint64_t total = 1ULL << 30;
    char req[8];
    std::memcpy(req, &total, 8);
    test::send_all(fd, std::string_view(req, 8));
    test::Stream expected(total);
    std::vector<char> got(1 << 20), want(1 << 20);
    std::uint64_t received = 0;
    bool same = true;
    auto t0 = std::chrono::steady_clock::now();
    while (true) {
        ssize_t n = ::recv(fd, got.data(), got.size(), 0);
        if (n <= 0) break;
        expected.fill(want.data(), static_cast<std::size_t>(n));
        if (std::memcmp(got.data(), want.data(), static_cast<std::size_t>(n)) != 0) same = false;
        received += static_cast<std::uint64_t>(n);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("1 GiB via proxy in " << secs << " s (" << (1024.0 / secs) << " MiB/s incl. generation)");
    CHECK(received == total);
    CHECK(same);
    ::close(fd);
    auto ev = h.wait_events(1);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].bytes_down == total);
    CHECK(ev[0].bytes_up == 8);
}

TEST_CASE("1,000 concurrent CONNECT tunnels all work") {
    raise_fd_limit();
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"127.0.0.1:" + p});
    constexpr int kConns = 1000;
    std::vector<int> fds;
    for (int i = 0; i < kConns; ++i) {
        int fd = test::connect_loopback(h.port);
        REQUIRE(fd >= 0);
        fds.push_back(fd);
        test::send_all(fd, "CONNECT 127.0.0.1:" + p + " HTTP/1.1\r\n\r\n");
    }
    int ok = 0;
    for (int fd : fds)
        if (test::read_head(fd).rfind("HTTP/1.1 200", 0) == 0) ++ok;
    CHECK(ok == kConns);
    // Every tunnel is open at once; now each carries its own message.
    for (int i = 0; i < kConns; ++i)
        test::send_all(fds[static_cast<std::size_t>(i)], "msg" + std::to_string(i) + ";");
    int echoed = 0;
    for (int i = 0; i < kConns; ++i) {
        std::string want = "msg" + std::to_string(i) + ";";
        std::string got(want.size(), '\0');
        if (test::read_exact(fds[static_cast<std::size_t>(i)], got.data(), got.size()) && got == want)
            ++echoed;
    }
    CHECK(echoed == kConns);
    for (int fd : fds) ::close(fd);
    CHECK(h.wait_events(kConns).size() == static_cast<std::size_t>(kConns));
}

TEST_CASE("proxy_env points every proxy variable, in both cases, at the listener") {
    auto env = net::proxy_env(3128);
    auto get = [&](const std::string& name) {
        for (const auto& [k, v] : env)
            if (k == name) return v;
        return std::string("<unset>");
    };
    CHECK(get("HTTP_PROXY") == "http://127.0.0.1:3128");
    CHECK(get("https_proxy") == "http://127.0.0.1:3128");
    CHECK(get("ALL_PROXY") == "socks5h://127.0.0.1:3128");
    CHECK(get("all_proxy") == "socks5h://127.0.0.1:3128");
    CHECK(get("NO_PROXY").find("localhost") != std::string::npos);
    CHECK(get("no_proxy") == get("NO_PROXY"));
    CHECK(env.size() == 8);
    for (const auto& [k, v] : net::proxy_env(3128, ""))
        if (k == "NO_PROXY" || k == "no_proxy") CHECK(v.empty());
}

TEST_CASE("curl works through the proxy: HTTP, CONNECT tunnel, SOCKS5 and proxy env vars") {
    if (run("command -v curl >/dev/null 2>&1").status != 0) {
        MESSAGE("curl not installed; skipped");
        return;
    }
    Server http(Server::Kind::Http);
    std::string p = std::to_string(http.port());
    Harness h({"localhost:" + p, "127.0.0.1:" + p});
    std::string proxy = "127.0.0.1:" + std::to_string(h.port);
    std::string url = "http://localhost:" + p + "/hi";
    auto plain = run("curl -sS --max-time 10 --noproxy '' -x http://" + proxy + " " + url);
    CHECK(plain.status == 0);
    CHECK(plain.out.find("hello GET /hi HTTP/1.1") != std::string::npos);
    auto tunnel = run("curl -sS --max-time 10 --noproxy '' -p -x http://" + proxy + " " + url);
    CHECK(tunnel.status == 0);
    CHECK(tunnel.out.find("hello GET /hi") != std::string::npos);
    auto socks = run("curl -sS --max-time 10 --noproxy '' --socks5-hostname " + proxy + " " + url);
    CHECK(socks.status == 0);
    CHECK(socks.out.find("hello GET /hi") != std::string::npos);
    auto denied = run("curl -sS --max-time 10 --noproxy '' -x http://" + proxy + " http://example.invalid/");
    CHECK(denied.out.find("is not allowed by profile") != std::string::npos);

    // The variables mxc exports, with an empty NO_PROXY: inside a sandbox
    // loopback is the sandbox's own, but this test's server is on the host's.
    std::string vars;
    for (const auto& [k, v] : net::proxy_env(h.port, "")) vars += k + "='" + v + "' ";
    auto via_env = run("env " + vars + "curl -sS --max-time 10 " + url);
    CHECK(via_env.status == 0);
    CHECK(via_env.out.find("hello GET /hi") != std::string::npos);
    std::string all_only = "ALL_PROXY=socks5h://" + proxy;
    auto via_all = run("env -u NO_PROXY -u no_proxy -u http_proxy -u HTTP_PROXY " + all_only +
                       " curl -sS --max-time 10 " + url);
    CHECK(via_all.status == 0);
    CHECK(via_all.out.find("hello GET /hi") != std::string::npos);
    auto ev = h.wait_events(6);
    CHECK(ev.size() == 6);  // every curl above went through the proxy, env-configured ones too
    bool saw_socks = false;
    for (const auto& e : ev) saw_socks = saw_socks || e.proto == "socks5";
    CHECK(saw_socks);
}

TEST_CASE("an HTTP request body is forwarded exactly, a pipelined second request is not") {
    Server echo(Server::Kind::Echo);
    std::string p = std::to_string(echo.port());
    Harness h({"127.0.0.1:" + p});
    struct Case {
        std::string framing;
        std::string body;
    };
    const Case cases[] = {
        {"Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\n"},
        {"Content-Length: 8\r\n", "12345678"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.framing);
        int fd = test::connect_loopback(h.port);
        // Half of the body arrives with the head, the rest (plus a smuggled
        // request for another host) in a second write.
        std::string head = "POST http://127.0.0.1:" + p + "/up HTTP/1.1\r\n" + c.framing + "\r\n";
        std::size_t half = c.body.size() / 2;
        test::send_all(fd, head + c.body.substr(0, half));
        usleep(20000);
        test::send_all(fd, c.body.substr(half) + "GET http://evil.example/ HTTP/1.1\r\n\r\n");
        std::string want = "POST /up HTTP/1.1\r\nHost: 127.0.0.1:" + p + "\r\n" + c.framing +
                           "Connection: close\r\n\r\n" + c.body;
        std::string got(want.size(), '\0');
        REQUIRE(test::read_exact(fd, got.data(), got.size()));
        CHECK(got == want);
        timeval tv{0, 300000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char extra[64];
        CHECK(::recv(fd, extra, sizeof extra, 0) <= 0);  // nothing after the body reached upstream
        ::close(fd);
    }
}
