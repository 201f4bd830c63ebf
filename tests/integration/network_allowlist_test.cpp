// network.mode = "allowlist" end to end through the real CLI: the sandbox has
// only its own loopback plus the egress proxy the supervisor serves on
// 127.0.0.1:3128 inside it. Every server here is one this test starts on the
// host's 127.0.0.1 (random port), reached with an explicit IP rule
// (--allow-net 127.0.0.1:PORT) because a name rule never reaches loopback.
// Each blocked case has a control: the same command run bare reaches the server.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using mxc::itest::bare;
using mxc::itest::contains;
using mxc::itest::plain_env;
using mxc::test::TempDir;

namespace {

constexpr const char* kBody = "hello from the host\n";

// Owns one fd (tests only).
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

std::uint16_t bound_port(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    return ntohs(addr.sin_port);
}

int bind_loopback(int type) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

// A tiny HTTP server on the host's 127.0.0.1: answers every request with
// kBody and counts the connections it accepted.
class HostHttpServer {
public:
    HostHttpServer() : listener_(bind_loopback(SOCK_STREAM)) {
        REQUIRE(::listen(listener_.fd, 16) == 0);
        port_ = bound_port(listener_.fd);
        thread_ = std::thread([this] { run(); });
    }
    ~HostHttpServer() {
        stop_ = true;
        thread_.join();
    }
    HostHttpServer(const HostHttpServer&) = delete;
    HostHttpServer& operator=(const HostHttpServer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int connections() const { return connections_; }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
    [[nodiscard]] std::string rule() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    void run() {
        while (!stop_) {
            pollfd p{listener_.fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            Fd conn(::accept4(listener_.fd, nullptr, nullptr, SOCK_CLOEXEC));
            if (conn.fd < 0) continue;
            ++connections_;
            timeval tv{2, 0};
            ::setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            std::string head;
            char buf[1024];
            while (head.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::read(conn.fd, buf, sizeof buf);
                if (n <= 0) break;
                head.append(buf, static_cast<std::size_t>(n));
            }
            const std::string body = kBody;
            const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                      "\r\nConnection: close\r\n\r\n" + body;
            (void)!::send(conn.fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
    }

    Fd listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

mxc::test::RunResult mxc_exec(const TempDir& ws, const std::vector<std::string>& flags,
                              const std::vector<std::string>& command) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "exec", "-p", "default", "-w", ws.path()};
    spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
    spec.argv.emplace_back("--");
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.cwd = ws.path();
    spec.env = plain_env();
    spec.timeout = std::chrono::milliseconds(15000);
    return mxc::test::run(spec);
}

}  // namespace

TEST_CASE("allowlist: an allowed host is reached through HTTP_PROXY") {
    TempDir ws;
    HostHttpServer server;
    auto r = mxc_exec(ws, {"--allow-net", server.rule()}, {"curl", "-sS", "--max-time", "5", server.url()});
    CHECK(r.status == 0);
    CHECK(r.out == kBody);
    CHECK(server.connections() == 1);
}

TEST_CASE("allowlist: an allowed host is reached through SOCKS5 (ALL_PROXY)") {
    TempDir ws;
    HostHttpServer server;
    auto r = mxc_exec(
        ws, {"--allow-net", server.rule()},
        {"sh", "-c", "curl -sS --max-time 5 --socks5-hostname \"${ALL_PROXY#socks5h://}\" " + server.url()});
    CHECK(r.status == 0);
    CHECK(r.out == kBody);
}

TEST_CASE("allowlist: an allowed host is reached through an HTTP CONNECT tunnel") {
    TempDir ws;
    HostHttpServer server;
    auto r = mxc_exec(ws, {"--allow-net", server.rule()},
                      {"sh", "-c", "curl -sS --max-time 5 -p -x \"$HTTPS_PROXY\" " + server.url()});
    CHECK(r.status == 0);
    CHECK(r.out == kBody);
}

TEST_CASE("allowlist: a host not in allow gets the 403 naming the rule to add, bare it is reachable") {
    TempDir ws;
    HostHttpServer allowed;
    HostHttpServer other;
    const std::vector<std::string> curl = {"curl", "-sS",          "--max-time", "5",
                                           "-w",   "%{http_code}", other.url()};
    auto r = mxc_exec(ws, {"--allow-net", allowed.rule()}, curl);
    CHECK(contains(r.out, "403"));
    CHECK(contains(r.out, "not allowed by profile \"default\""));
    CHECK(contains(r.out, "add \"" + other.rule() + "\" to [network].allow"));
    CHECK(other.connections() == 0);

    auto control = bare(ws, curl);
    CHECK(control.status == 0);
    CHECK(contains(control.out, kBody));
    CHECK(other.connections() == 1);
}

TEST_CASE(
    "allowlist: a connection that ignores the proxy is brokered: allowed reaches, unlisted is refused") {
    // Issue 11: the connect broker decides direct connections with the
    // proxy's rules; nothing without a rule leaves.
    TempDir ws;
    HostHttpServer server;
    HostHttpServer unlisted;
    const std::string log = ws.path() + "/audit.jsonl";
    auto direct = [](const HostHttpServer& s) {
        return std::vector<std::string>{"curl", "-sS", "--max-time", "5", "--noproxy", "*", s.url()};
    };
    auto r = mxc_exec(ws, {"--allow-net", server.rule(), "--audit", log}, direct(server));
    CHECK(r.status == 0);
    CHECK(r.out == kBody);
    CHECK(server.connections() == 1);
    CHECK(contains(mxc::test::read_file(log), R"("via":"connect")"));

    auto refused = mxc_exec(ws, {"--allow-net", server.rule()}, direct(unlisted));
    CHECK(refused.status != 0);
    CHECK(refused.out.empty());
    CHECK(unlisted.connections() == 0);

    auto control = bare(ws, direct(unlisted));
    CHECK(control.status == 0);
    CHECK(control.out == kBody);
}

TEST_CASE("allowlist: UDP to the host does not leave the sandbox, bare it arrives") {
    TempDir ws;
    Fd udp(bind_loopback(SOCK_DGRAM));
    const std::string port = std::to_string(bound_port(udp.fd));
    const std::vector<std::string> send = {"bash", "-c", "echo leak > /dev/udp/127.0.0.1/" + port};
    auto received = [&](int ms) {
        pollfd p{udp.fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) return false;
        char buf[64];
        return ::recv(udp.fd, buf, sizeof buf, 0) > 0;
    };
    (void)mxc_exec(ws, {"--allow-net", "127.0.0.1:" + port}, send);
    CHECK_FALSE(received(200));

    auto control = bare(ws, send);
    CHECK(control.status == 0);
    CHECK(received(2000));
}

TEST_CASE("allowlist: the audit log records allowed and denied connections with bytes") {
    TempDir ws;
    HostHttpServer allowed;
    HostHttpServer other;
    const std::string log = ws.path() + "/audit.jsonl";
    auto r = mxc_exec(
        ws, {"--allow-net", allowed.rule(), "--audit", log},
        {"sh", "-c", "curl -sS --max-time 5 " + allowed.url() + "; curl -sS --max-time 5 " + other.url()});
    CHECK(contains(r.out, kBody));
    const std::string text = mxc::test::read_file(log);
    std::string allow_line, deny_line;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        if (contains(line, "\"event\":\"net\"") && contains(line, "\"decision\":\"allow\""))
            allow_line = line;
        if (contains(line, "\"event\":\"net\"") && contains(line, "\"decision\":\"deny\"")) deny_line = line;
        pos = nl + 1;
    }
    REQUIRE_FALSE(allow_line.empty());
    CHECK(contains(allow_line, "\"host\":\"127.0.0.1\""));
    CHECK(contains(allow_line, "\"port\":" + std::to_string(allowed.port())));
    CHECK(contains(allow_line, "\"rule\":\"" + allowed.rule() + "\""));
    CHECK_FALSE(contains(allow_line, "\"bytes_down\":0"));
    CHECK_FALSE(contains(allow_line, "\"bytes_up\":0"));
    REQUIRE_FALSE(deny_line.empty());
    CHECK(contains(deny_line, "\"port\":" + std::to_string(other.port())));
    CHECK(contains(deny_line, "\"bytes_up\":0"));
    CHECK(contains(text, "egress proxy on 127.0.0.1:3128"));
}

TEST_CASE("allowlist: the command sees the proxy variables and inherits no socket from mxc") {
    TempDir ws;
    auto r =
        mxc_exec(ws, {"--allow-net", "127.0.0.1:9"},
                 {"sh", "-c", "echo $HTTP_PROXY $https_proxy $ALL_PROXY [$NO_PROXY]; ls -l /proc/$$/fd/"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "http://127.0.0.1:3128 http://127.0.0.1:3128 socks5h://127.0.0.1:3128 []\n"));
    CHECK_FALSE(contains(r.out, "socket:"));
}

TEST_CASE("allowlist: --dry-run prints the proxy line") {
    TempDir ws;
    auto r = mxc_exec(ws, {"--allow-net", "127.0.0.1:9", "--dry-run"}, {"true"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "proxy: 127.0.0.1:3128"));
    CHECK(contains(r.out, "allow 127.0.0.1:9;"));
}

TEST_CASE("allowlist: a [network].deny rule beats a wider allow and names itself, bare it is reachable") {
    TempDir ws;
    HostHttpServer allowed;
    HostHttpServer denied;
    const std::string profile = ws.write("net.toml",
                                         "schema = 1\nname = \"net-test\"\nextends = [\"default\"]\n"
                                         "[network]\nmode = \"allowlist\"\n"
                                         "allow = [\"127.0.0.0/8:*\"]\n"
                                         "deny = [\"" +
                                             denied.rule() + "\"]\n");
    mxc::test::RunSpec spec;
    spec.argv = {
        MXC_BINARY, "exec",
        "-p",       profile,
        "-w",       ws.path(),
        "--",       "sh",
        "-c",       "curl -sS --max-time 5 " + allowed.url() + "; curl -sS --max-time 5 " + denied.url()};
    spec.cwd = ws.path();
    spec.env = plain_env();
    auto r = mxc::test::run(spec);
    CHECK(contains(r.out, kBody));
    CHECK(contains(r.out, "not allowed by profile \"net-test\""));
    CHECK(contains(r.out, "denied by [network].deny rule \"" + denied.rule() + "\""));
    // mxc's own stderr says which rule denied it (issue 11).
    CHECK(contains(r.err, "mxc: blocked " + denied.rule() + " (denied by [network].deny rule \"" +
                              denied.rule() + "\")\n"));
    CHECK(allowed.connections() == 1);
    CHECK(denied.connections() == 0);

    auto control = bare(ws, {"curl", "-sS", "--max-time", "5", denied.url()});
    CHECK(control.out == kBody);
}

namespace {

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE(
    "allowlist: two attempts at a denied host print one 'mxc: blocked' line, -q none, bare it is reachable") {
    TempDir ws;
    HostHttpServer allowed;
    HostHttpServer other;
    const std::string twice = "curl -sS --max-time 5 " + other.url() +
                              "; curl -sS --max-time 5 -p -x \"$HTTPS_PROXY\" " + other.url() + "; true";
    auto r = mxc_exec(ws, {"--allow-net", allowed.rule()}, {"sh", "-c", twice});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    // Only TCP lines: glibc's lookups may also try a unix socket (nscd),
    // which the connect broker refuses with its own line.
    CHECK(count_of(r.err, "mxc: blocked 127.") == 1);
    CHECK(contains(r.err, "mxc: blocked " + other.rule() + " (not allowed by \"default\"; add \"" +
                              other.rule() + "\" to [network].allow or pass --allow-net " + other.rule() +
                              ")\n"));
    CHECK(other.connections() == 0);

    auto quiet = mxc_exec(ws, {"-q", "--allow-net", allowed.rule()}, {"sh", "-c", twice});
    INFO("stderr -q: ", quiet.err);
    CHECK(quiet.status == 0);
    CHECK(count_of(quiet.err, "mxc: blocked") == 0);                   // none at all, unix sockets included
    CHECK(contains(quiet.out, "not allowed by profile \"default\""));  // still refused, only silent
    CHECK(other.connections() == 0);

    auto control = bare(ws, {"curl", "-sS", "--max-time", "5", other.url()});
    CHECK(control.out == kBody);
    CHECK(other.connections() == 1);
}

TEST_CASE("allowlist: an allowed host whose server is down is logged as a failure with its reason") {
    TempDir ws;
    // Bound, never listening: connect() is refused, and the port stays ours.
    Fd down(bind_loopback(SOCK_STREAM));
    const std::string rule = "127.0.0.1:" + std::to_string(bound_port(down.fd));
    const std::string log = ws.path() + "/audit.jsonl";
    auto r = mxc_exec(ws, {"--allow-net", rule, "--audit", log},
                      {"curl", "-sS", "--max-time", "5", "-w", "%{http_code}", "http://" + rule + "/"});
    INFO("stdout: ", r.out, "\nstderr: ", r.err);
    CHECK(contains(r.out, "502"));
    CHECK(count_of(r.err, "mxc: blocked " + rule) == 0);  // allowed: not a refusal
    const std::string text = mxc::test::read_file(log);
    CHECK(contains(text, "\"decision\":\"allow\",\"host\":\"127.0.0.1\""));
    CHECK(contains(text, "\"via\":\"proxy\",\"error\":\"connection refused\""));

    auto shown = mxc::test::mxc({"log", log});
    INFO("mxc log: ", shown.out);
    CHECK(shown.status == 0);
    CHECK(contains(shown.out, "1 allowed (1 failed upstream), "));
    CHECK(contains(shown.out, "    fail   " + rule));
    CHECK(contains(shown.out, "connection refused  (rule " + rule + ")"));
    CHECK_FALSE(contains(shown.out, "    allow  " + rule));

    auto suggested = mxc::test::mxc({"log", "--suggest", log});
    CHECK(suggested.status == 0);
    CHECK(contains(suggested.out, "# 1 allowed connection(s) failed upstream"));
    CHECK(contains(suggested.out, "nothing to add"));
}

TEST_CASE("allowlist: a SOCKS5 host name with terminal escapes reaches mxc's stderr spelled out") {
    TempDir ws;
    HostHttpServer allowed;
    // ESC ] 0 ; ... BEL sets the terminal's title; C1 CSI (0xC2 0x9B) starts a control sequence.
    const std::string host =
        "\x1b]0;pwned\x07x.com\xc2\x9b"
        "2J";
    std::string hex;
    for (unsigned char c : host) {
        char b[8];
        std::snprintf(b, sizeof b, "\\x%02x", c);
        hex += b;
    }
    char len[8];
    std::snprintf(len, sizeof len, "\\x%02x", static_cast<unsigned>(host.size()));
    // Greeting (no auth), then CONNECT to the domain name, port 443.
    const std::string send = "exec 3<>/dev/tcp/127.0.0.1/3128; printf '\\x05\\x01\\x00\\x05\\x01\\x00\\x03" +
                             std::string(len) + hex + "\\x01\\xbb' >&3; timeout 3 cat <&3 >/dev/null; true";
    const std::string log = ws.path() + "/audit.jsonl";
    auto r = mxc_exec(ws, {"--allow-net", allowed.rule(), "--audit", log}, {"bash", "-c", send});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    CHECK(count_of(r.err, "mxc: blocked \\x1b") == 1);
    CHECK(contains(r.err, "\\x1b]0;pwned\\x07x.com\\u009b2J:443 (invalid host: "));
    CHECK_MESSAGE(r.err.find('\x1b') == std::string::npos, "ESCAPE: an ESC byte reached mxc's stderr");
    CHECK_MESSAGE(r.err.find('\x07') == std::string::npos, "ESCAPE: a BEL byte reached mxc's stderr");
    CHECK_MESSAGE(r.err.find("\xc2\x9b") == std::string::npos, "ESCAPE: a C1 CSI reached mxc's stderr");
    // Control: the request really carried the bytes (the audit log keeps them, JSON-escaped).
    CHECK(contains(mxc::test::read_file(log), "\\u001b]0;pwned\\u0007x.com"));
}
