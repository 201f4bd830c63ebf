// The Windows egress proxy (src/net/egress_proxy_windows.cpp) for real: wine's
// sockets are the host's, so every connection below crosses the loopback
// interface. The upstream is a tiny echo server on a thread of this test,
// allowed by an explicit IP rule (a host-name rule never reaches loopback).
#include <doctest/doctest.h>

#include <winsock2.h>
#include <ws2tcpip.h>

#include <windows.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/egress_proxy.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "support.hpp"

namespace proxy_test {

using namespace mxc;

// No doctest assertions in what the helper child (proxy_connect_helper) uses:
// outside a test case they would crash it.
struct Winsock {
    Winsock() {
        WSADATA d;
        ok = WSAStartup(MAKEWORD(2, 2), &d) == 0;
    }
    ~Winsock() {
        if (ok) WSACleanup();
    }
    bool ok = false;
    Winsock(const Winsock&) = delete;
    Winsock& operator=(const Winsock&) = delete;
};

class Sock {
public:
    explicit Sock(SOCKET s = INVALID_SOCKET) : s_(s) {}
    ~Sock() {
        if (s_ != INVALID_SOCKET) closesocket(s_);
    }
    Sock(Sock&& o) noexcept : s_(o.s_) { o.s_ = INVALID_SOCKET; }
    Sock(const Sock&) = delete;
    Sock& operator=(const Sock&) = delete;
    Sock& operator=(Sock&&) = delete;
    [[nodiscard]] SOCKET get() const { return s_; }
    [[nodiscard]] bool valid() const { return s_ != INVALID_SOCKET; }

private:
    SOCKET s_;
};

// Receives time out, so a proxy that never answers fails the test instead of hanging it.
void set_timeout(SOCKET s) {
    DWORD ms = 10000;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
}

// An invalid Sock when the connection fails.
Sock try_connect_loopback(std::uint16_t port) {
    Sock s(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    if (!s.valid() || connect(s.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) != 0)
        return Sock();
    set_timeout(s.get());
    return s;
}

bool try_send_all(SOCKET s, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        int n = send(s, data.data() + off, static_cast<int>(data.size() - off), 0);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

Sock connect_loopback(std::uint16_t port) {
    Sock s = try_connect_loopback(port);
    REQUIRE(s.valid());
    return s;
}

void send_all(SOCKET s, const std::string& data) {
    REQUIRE(try_send_all(s, data));
}

// Up to and including the blank line after an HTTP head; "" on EOF/timeout.
std::string read_head(SOCKET s) {
    std::string head;
    char c;
    while (head.size() < 65536 && recv(s, &c, 1, 0) == 1) {
        head.push_back(c);
        if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) return head;
    }
    return head;
}

std::string read_n(SOCKET s, std::size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
        int got = recv(s, buf, static_cast<int>(std::min(sizeof buf, n - out.size())), 0);
        if (got <= 0) break;
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

std::string read_to_eof(SOCKET s) {
    std::string out;
    char buf[4096];
    int got;
    while ((got = recv(s, buf, static_cast<int>(sizeof buf), 0)) > 0)
        out.append(buf, static_cast<std::size_t>(got));
    return out;
}

// Echoes every connection's bytes back until the client closes its side.
class EchoServer {
public:
    EchoServer() : listener_(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(listener_.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) == 0);
        REQUIRE(listen(listener_.get(), 16) == 0);
        int len = sizeof sin;
        REQUIRE(getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0);
        port_ = ntohs(sin.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~EchoServer() {
        stop_ = true;
        thread_.join();
        for (auto& t : conns_) t.join();
    }
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    void serve() {
        while (!stop_) {
            fd_set fds;
            FD_ZERO(&fds);
            FD_SET(listener_.get(), &fds);
            timeval tv{0, 100000};
            if (select(0, &fds, nullptr, nullptr, &tv) <= 0) continue;
            SOCKET c = accept(listener_.get(), nullptr, nullptr);
            if (c == INVALID_SOCKET) continue;
            conns_.emplace_back([c] {
                Sock s(c);
                set_timeout(c);
                char buf[4096];
                int n;
                while ((n = recv(c, buf, static_cast<int>(sizeof buf), 0)) > 0) {
                    if (send(c, buf, n, 0) != n) break;
                }
                shutdown(c, SD_SEND);
            });
        }
    }

    Sock listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::list<std::thread> conns_;
};

// Answers one HTTP request with everything it received as the body, then closes.
class OneShotHttpServer {
public:
    OneShotHttpServer() : listener_(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(listener_.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) == 0);
        REQUIRE(listen(listener_.get(), 4) == 0);
        int len = sizeof sin;
        REQUIRE(getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0);
        port_ = ntohs(sin.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~OneShotHttpServer() { thread_.join(); }
    OneShotHttpServer(const OneShotHttpServer&) = delete;
    OneShotHttpServer& operator=(const OneShotHttpServer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    void serve() {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(listener_.get(), &fds);
        timeval tv{10, 0};
        if (select(0, &fds, nullptr, nullptr, &tv) <= 0) return;
        Sock c(accept(listener_.get(), nullptr, nullptr));
        if (!c.valid()) return;
        set_timeout(c.get());
        std::string got = read_head(c.get());
        auto cl = got.find("Content-Length: ");
        if (cl != std::string::npos) got += read_n(c.get(), std::strtoul(got.c_str() + cl + 16, nullptr, 10));
        // Anything a client pipelined would arrive within this pause.
        Sleep(300);
        u_long avail = 0;
        ioctlsocket(c.get(), FIONREAD, &avail);
        if (avail > 0) got += read_n(c.get(), avail);
        try_send_all(c.get(), "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(got.size()) +
                                  "\r\nConnection: close\r\n\r\n" + got);
        shutdown(c.get(), SD_SEND);
    }

    Sock listener_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// A running Windows proxy plus the audit events it reported.
struct Proxy {
    std::unique_ptr<net::EgressProxy> proxy;
    std::mutex mutex;
    std::vector<audit::NetEvent> events;

    Proxy(const std::vector<std::string>& allow, const std::vector<std::string>& deny) {
        auto matcher = net::Matcher::from_strings(allow, deny);
        REQUIRE(matcher.ok());
        net::EgressProxyOptions opts;
        opts.profile_name = "wine-proxy";
        auto p = net::EgressProxy::create_loopback(
            std::move(matcher).value(),
            [this](const audit::NetEvent& e) {
                std::lock_guard lock(mutex);
                events.push_back(e);
            },
            opts);
        REQUIRE(p.ok());
        proxy = std::move(p).value();
        REQUIRE(proxy->port() != 0);
        REQUIRE(proxy->start().ok());
    }

    std::vector<audit::NetEvent> wait_events(std::size_t n) {
        for (int i = 0; i < 300; ++i) {
            {
                std::lock_guard lock(mutex);
                if (events.size() >= n) return events;
            }
            Sleep(10);
        }
        std::lock_guard lock(mutex);
        return events;
    }
};

std::string connect_request(const std::string& authority) {
    return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
}

std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

}  // namespace proxy_test

namespace mxc::test::win {

int proxy_connect_helper(const std::string& target) {
    proxy_test::Winsock wsa;
    const char* env = std::getenv("HTTP_PROXY");
    std::string proxy = env ? env : "";
    std::printf("proxy %s\n", proxy.c_str());
    std::fflush(stdout);
    const std::string prefix = "http://127.0.0.1:";
    if (!wsa.ok || proxy.rfind(prefix, 0) != 0) return 2;
    auto port = static_cast<std::uint16_t>(std::atoi(proxy.c_str() + prefix.size()));
    auto c = proxy_test::try_connect_loopback(port);
    if (!c.valid() || !proxy_test::try_send_all(c.get(), proxy_test::connect_request(target))) return 3;
    std::string head = proxy_test::read_head(c.get());
    std::printf("%s\n", head.substr(0, head.find("\r\n")).c_str());
    if (head.find(" 200 ") != std::string::npos) {
        if (!proxy_test::try_send_all(c.get(), "ping")) return 4;
        std::printf("%s\n", proxy_test::read_n(c.get(), 4).c_str());
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace mxc::test::win

using namespace proxy_test;

TEST_CASE("Windows proxy: CONNECT to an explicitly allowed loopback port tunnels bytes both ways") {
    Winsock wsa;
    REQUIRE(wsa.ok);
    EchoServer echo;
    const std::string target = "127.0.0.1:" + std::to_string(echo.port());
    Proxy p({target, "example.com"}, {"blocked.example"});
    Sock c = connect_loopback(p.proxy->port());
    send_all(c.get(), connect_request(target));
    CHECK(read_head(c.get()) == "HTTP/1.1 200 Connection established\r\n\r\n");
    send_all(c.get(), "hello through the proxy");
    CHECK(read_n(c.get(), 23) == "hello through the proxy");
    shutdown(c.get(), SD_SEND);
    CHECK(read_to_eof(c.get()).empty());  // the echo server's EOF comes back through the tunnel
}

TEST_CASE("Windows proxy: a denied CONNECT gets 403 naming the deny rule") {
    Winsock wsa;
    Proxy p({"example.com"}, {"blocked.example"});
    Sock c = connect_loopback(p.proxy->port());
    send_all(c.get(), connect_request("blocked.example:443"));
    std::string reply = read_head(c.get()) + read_to_eof(c.get());
    CHECK(reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    CHECK(reply.find("blocked.example:443 is not allowed by profile \"wine-proxy\"") != std::string::npos);
    CHECK(reply.find("denied by [network].deny rule \"blocked.example\"") != std::string::npos);
}

TEST_CASE("Windows proxy: a loopback port without an IP rule gets 403 naming the rule to add") {
    Winsock wsa;
    EchoServer echo;
    Proxy p({"example.com"}, {});
    Sock c = connect_loopback(p.proxy->port());
    const std::string target = "127.0.0.1:" + std::to_string(echo.port());
    send_all(c.get(), connect_request(target));
    std::string reply = read_head(c.get()) + read_to_eof(c.get());
    CHECK(reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    CHECK(reply.find("add \"" + target + "\" to [network].allow") != std::string::npos);
}

namespace {

// Wine's GetAddrInfoW now and then fails to resolve "localhost" on a loaded
// machine (the proxy answers 502 "cannot resolve"): such an exchange is made
// again, a few times, so these tests judge the proxy and not wine's resolver.
bool resolver_failed(const std::string& head) {
    return head.rfind("HTTP/1.1 502 ", 0) == 0;
}

std::string name_exchange(const Proxy& p, const std::string& target) {
    std::string reply;
    for (int attempt = 0; attempt < 5; ++attempt) {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), connect_request(target));
        const std::string head = read_head(c.get());
        reply = head + read_to_eof(c.get());
        if (!resolver_failed(head)) break;
        Sleep(200);
    }
    return reply;
}

}  // namespace

TEST_CASE("Windows proxy: a name is resolved by the proxy, loopback answers need an explicit IP rule") {
    Winsock wsa;
    EchoServer echo;
    const std::string port = std::to_string(echo.port());
    {
        Proxy p({"localhost:" + port}, {});
        const std::string reply = name_exchange(p, "localhost:" + port);
        CHECK(reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
        CHECK(reply.find("localhost resolved to ") != std::string::npos);
        CHECK(reply.find("a host-name rule never reaches it") != std::string::npos);
    }
    {
        Proxy p({"localhost:" + port, "127.0.0.1:" + port}, {});
        for (int attempt = 0; attempt < 5; ++attempt) {
            Sock c = connect_loopback(p.proxy->port());
            send_all(c.get(), connect_request("localhost:" + port));
            const std::string head = read_head(c.get());
            if (resolver_failed(head) && attempt < 4) {
                Sleep(200);
                continue;
            }
            CHECK(head == "HTTP/1.1 200 Connection established\r\n\r\n");
            send_all(c.get(), "by name");
            CHECK(read_n(c.get(), 7) == "by name");
            break;
        }
    }
}

TEST_CASE("Windows proxy: a resolved address under a CIDR deny rule refuses the name") {
    Winsock wsa;
    EchoServer echo;
    const std::string port = std::to_string(echo.port());
    Proxy p({"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port}, {"127.0.0.0/8:" + port});
    const std::string reply = name_exchange(p, "localhost:" + port);
    CHECK(reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    CHECK(reply.find("localhost resolved to 127.0.0.1, denied by [network].deny rule \"127.0.0.0/8:" + port +
                     "\"") != std::string::npos);
}

TEST_CASE("Windows proxy: SOCKS5 CONNECT succeeds to an allowed address and gets code 2 when denied") {
    Winsock wsa;
    EchoServer echo;
    Proxy p({"127.0.0.1:" + std::to_string(echo.port())}, {});
    const int hi = echo.port() >> 8, lo = echo.port() & 0xff;
    const std::uint16_t other = static_cast<std::uint16_t>(echo.port() + 1);  // no rule names it
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), bytes({5, 1, 0}) + bytes({5, 1, 0, 1, 127, 0, 0, 1, hi, lo}));
        CHECK(read_n(c.get(), 2) == bytes({5, 0}));
        CHECK(read_n(c.get(), 10) == bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
        send_all(c.get(), "socks");
        CHECK(read_n(c.get(), 5) == "socks");
    }
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), bytes({5, 1, 0}) + bytes({5, 1, 0, 1, 127, 0, 0, 1, other >> 8, other & 0xff}));
        CHECK(read_n(c.get(), 2) == bytes({5, 0}));
        CHECK(read_n(c.get(), 10) == bytes({5, 2, 0, 1, 0, 0, 0, 0, 0, 0}));
    }
}

TEST_CASE("Windows proxy: absolute-form HTTP is forwarded alone, as origin-form with Connection: close") {
    Winsock wsa;
    OneShotHttpServer server;
    const std::string authority = "127.0.0.1:" + std::to_string(server.port());
    Proxy p({authority}, {});
    Sock c = connect_loopback(p.proxy->port());
    send_all(c.get(),
             "POST http://" + authority +
                 "/upload?x=1 HTTP/1.1\r\nHost: elsewhere.example\r\nProxy-Connection: keep-alive\r\n"
                 "Content-Length: 5\r\n\r\nhello"
                 "GET http://" +
                 authority + "/second HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string reply = read_to_eof(c.get());
    CHECK(reply.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(reply.find("POST /upload?x=1 HTTP/1.1\r\n") != std::string::npos);
    CHECK(reply.find("Host: " + authority + "\r\n") != std::string::npos);
    CHECK(reply.find("Connection: close\r\n") != std::string::npos);
    CHECK(reply.find("Proxy-Connection") == std::string::npos);
    CHECK(reply.find("elsewhere.example") == std::string::npos);
    CHECK(reply.size() >= 5);
    CHECK(reply.compare(reply.size() - 5, 5, "hello") == 0);
    CHECK(reply.find("/second") == std::string::npos);  // the pipelined request never left the proxy
}

TEST_CASE("Windows proxy: each connection is one audit event, allowed ones with byte counts") {
    Winsock wsa;
    EchoServer echo;
    const std::string target = "127.0.0.1:" + std::to_string(echo.port());
    Proxy p({target}, {"blocked.example"});
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), connect_request("blocked.example:443"));
        read_to_eof(c.get());
    }
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), connect_request(target));
        REQUIRE(read_head(c.get()).find(" 200 ") != std::string::npos);
        send_all(c.get(), "12345");
        CHECK(read_n(c.get(), 5) == "12345");
        shutdown(c.get(), SD_SEND);
        read_to_eof(c.get());
    }
    auto events = p.wait_events(2);
    REQUIRE(events.size() == 2);
    CHECK_FALSE(events[0].allowed);
    CHECK(events[0].host == "blocked.example");
    CHECK(events[0].port == 443);
    CHECK(events[0].proto == "connect");
    CHECK(events[0].rule == "blocked.example");
    CHECK(events[1].allowed);
    CHECK(events[1].host == "127.0.0.1");
    CHECK(events[1].port == echo.port());
    CHECK(events[1].rule == target);
    CHECK(events[1].bytes_up == 5);
    CHECK(events[1].bytes_down == 5);
}

TEST_CASE(
    "Windows proxy: an allowed port with no server is an event with its error, a denial has its reason") {
    Winsock wsa;
    // Bound, never listening: the connection is refused, and the port stays ours.
    Sock bound(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(bound.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) == 0);
    int len = sizeof sin;
    REQUIRE(getsockname(bound.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0);
    const std::string target = "127.0.0.1:" + std::to_string(ntohs(sin.sin_port));
    Proxy p({target}, {"blocked.example"});
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), connect_request(target));
        std::string reply = read_head(c.get()) + read_to_eof(c.get());
        CHECK((reply.rfind("HTTP/1.1 502", 0) == 0 || reply.rfind("HTTP/1.1 504", 0) == 0));
    }
    REQUIRE(p.wait_events(1).size() == 1);
    {
        Sock c = connect_loopback(p.proxy->port());
        send_all(c.get(), connect_request("blocked.example:443"));
        read_to_eof(c.get());
    }
    auto events = p.wait_events(2);
    REQUIRE(events.size() == 2);
    CHECK(events[0].allowed);
    CHECK(events[0].via == "proxy");
    CHECK(events[0].bytes_down == 0);
    // Real Windows retries a refused SYN for a while: refused or timed out.
    CHECK((events[0].error == "connection refused" || events[0].error == "timed out"));
    CHECK(events[0].reason.empty());
    CHECK_FALSE(events[1].allowed);
    CHECK(events[1].error.empty());
    CHECK(events[1].reason == "denied by [network].deny rule \"blocked.example\"");
}

TEST_CASE("Windows proxy: stop() ends an open tunnel promptly and reports it") {
    Winsock wsa;
    EchoServer echo;
    const std::string target = "127.0.0.1:" + std::to_string(echo.port());
    Proxy p({target}, {});
    Sock c = connect_loopback(p.proxy->port());
    send_all(c.get(), connect_request(target));
    REQUIRE(read_head(c.get()).find(" 200 ") != std::string::npos);
    auto t0 = std::chrono::steady_clock::now();
    p.proxy->stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    CHECK(read_to_eof(c.get()).empty());  // the proxy closed its end
    auto events = p.wait_events(1);
    REQUIRE(events.size() == 1);
    CHECK(events[0].allowed);
}

TEST_CASE("exec with a host-name rule starts the proxy and the sandboxed command reaches the echo server") {
    Winsock wsa;
    EchoServer echo;
    const std::string target = "127.0.0.1:" + std::to_string(echo.port());
    SetEnvironmentVariableW(L"MXC_TEST_ALLOW_NET",
                            mxc::platform::win::widen("example.com," + target).c_str());
    auto r = mxc::test::win::run_self({"--exec", mxc::test::win::self_path(), "--proxy-connect", target});
    auto denied = mxc::test::win::run_self(
        {"--exec", mxc::test::win::self_path(), "--proxy-connect", "blocked.example:443"});
    SetEnvironmentVariableW(L"MXC_TEST_ALLOW_NET", nullptr);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("proxy http://127.0.0.1:", 0) == 0);
    CHECK(r.out.find("HTTP/1.1 200 Connection established\nping\n") != std::string::npos);
    CHECK(denied.out.find("HTTP/1.1 403 Forbidden\n") != std::string::npos);
}
