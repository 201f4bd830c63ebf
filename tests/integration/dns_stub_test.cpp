// The sandbox's DNS stub end to end through the real CLI (issue 11): under
// network = "allowlist" an allowed name gets the host's answer and every
// other name fails at once; under "none" every lookup fails at once, and so
// does npm. Each refusal has a control: the same lookup works bare, on the
// host. The names used are taken from the host's own /etc/hosts (the stub
// resolves with the host's getaddrinfo, so they work without any network);
// they resolve to loopback, which a name rule never reaches alone, hence the
// explicit IP rule next to each name rule.
#include <doctest/doctest.h>

#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"

using mxc::itest::bare;
using mxc::itest::contains;
using mxc::itest::plain_env;
using mxc::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// A name from the host's /etc/hosts (not localhost, which the sandbox's own
// hosts file answers) that getaddrinfo resolves here, with its address.
struct HostName {
    std::string name;
    std::string addr;
};

std::vector<HostName> host_names() {
    std::vector<HostName> out;
    std::ifstream in("/etc/hosts");
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        std::string addr, name;
        if (!(words >> addr) || addr.find('.') == std::string::npos) continue;  // IPv4 lines only
        while (words >> name) {
            if (name.rfind("localhost", 0) == 0 || name.find("ip6-") == 0) continue;
            bool seen = false;
            for (const auto& h : out) seen = seen || h.name == name;
            if (seen) continue;
            addrinfo hints{};
            hints.ai_family = AF_INET;
            addrinfo* res = nullptr;
            if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) continue;
            ::freeaddrinfo(res);
            out.push_back({name, addr});
        }
    }
    return out;
}

struct Timed {
    mxc::test::RunResult r;
    double seconds = 0;
};

Timed mxc_exec(const TempDir& ws, const std::vector<std::string>& flags,
               const std::vector<std::string>& command,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "exec", "-p", "default", "-w", ws.path()};
    spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
    spec.argv.emplace_back("--");
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.cwd = ws.path();
    spec.env = plain_env();
    spec.timeout = timeout;
    const auto start = Clock::now();
    Timed t{mxc::test::run(spec), 0};
    t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return t;
}

// Sends one DNS query over UDP or TCP to the stub and prints "rcode=N an=N".
constexpr const char* kQueryPy = R"(import socket, struct, sys
name, qtype, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
q = struct.pack(">HHHHHH", 4242, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", qtype, 1)
if proto == "tcp":
    s = socket.create_connection(("127.0.0.1", 53), timeout=3)
    s.sendall(struct.pack(">H", len(q)) + q)
    n = struct.unpack(">H", s.recv(2))[0]
    r = b""
    while len(r) < n:
        r += s.recv(n - len(r))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, ("127.0.0.1", 53))
    r = s.recv(4096)
qid, flags, qd, an = struct.unpack(">HHHH", r[:8])
print("id=%d rcode=%d an=%d" % (qid, flags & 15, an))
)";

}  // namespace

TEST_CASE("dns allowlist: an allowed name gets the host's answer and bare gives the same") {
    const auto names = host_names();
    if (names.empty()) {
        MESSAGE("skipped: no name besides localhost in the host's /etc/hosts");
        return;
    }
    const HostName& h = names.front();
    TempDir ws;
    ws.write("q.py", kQueryPy);
    const std::vector<std::string> flags = {"--allow-net", h.name, "--allow-net", h.addr};
    auto getent = mxc_exec(ws, flags, {"getent", "hosts", h.name});
    CHECK(getent.r.status == 0);
    CHECK(contains(getent.r.out, h.addr));
    auto control = bare(ws, {"getent", "hosts", h.name});
    CHECK(control.status == 0);
    CHECK(contains(control.out, h.addr));

    auto py = mxc_exec(ws, flags,
                       {"python3", "-c",
                        "import socket; print(sorted({a[4][0] for a in socket.getaddrinfo('" + h.name +
                            "', 443, socket.AF_INET)}))"});
    CHECK(py.r.status == 0);
    CHECK(contains(py.r.out, "'" + h.addr + "'"));
    // Over TCP too, with the question's id echoed.
    auto tcp = mxc_exec(ws, flags, {"python3", "q.py", h.name, "1", "tcp"});
    CHECK(tcp.r.out == "id=4242 rcode=0 an=1\n");
}

TEST_CASE("dns allowlist: a name no rule covers fails at once and is audited once but bare it resolves") {
    const auto names = host_names();
    if (names.empty()) {
        MESSAGE("skipped: no name besides localhost in the host's /etc/hosts");
        return;
    }
    const HostName& h = names.front();
    TempDir ws;
    const std::string audit = ws.path() + "/audit.jsonl";
    auto r = mxc_exec(
        ws, {"--allow-net", "example.org", "--allow-net", h.addr, "--audit", audit},
        {"sh", "-c", "getent hosts " + h.name + "; echo rc=$?; getent hosts " + h.name + "; echo rc=$?"});
    CHECK(r.r.out == "rc=2\nrc=2\n");  // 2: not found
    CHECK(r.seconds < 3.0);
    const std::string log = mxc::test::read_file(audit);
    const std::string event = "\"decision\":\"deny\",\"host\":\"" + h.name + "\"";
    CHECK(contains(log, event));
    CHECK(log.find(event) == log.rfind(event));  // once per name and run
    CHECK(contains(log, "\"via\":\"dns\""));

    // The address alone is not enough: a name rule must cover the name.
    auto control = bare(ws, {"getent", "hosts", h.name});
    CHECK(control.status == 0);
}

TEST_CASE("dns allowlist: an allowed name that resolves to loopback needs the explicit IP rule") {
    const auto names = host_names();
    if (names.empty() || names.front().addr.rfind("127.", 0) != 0) {
        MESSAGE("skipped: no loopback name in the host's /etc/hosts");
        return;
    }
    TempDir ws;
    auto r = mxc_exec(ws, {"--allow-net", names.front().name}, {"getent", "hosts", names.front().name});
    CHECK(r.r.status == 2);
    CHECK(r.r.out.empty());
}

TEST_CASE("dns none: every lookup fails at once but bare it resolves") {
    const auto names = host_names();
    TempDir ws;
    const std::string name = names.empty() ? "example.org" : names.front().name;
    auto r = mxc_exec(ws, {"--net", "none"},
                      {"sh", "-c",
                       "cat /etc/resolv.conf; getent hosts " + name +
                           "; echo rc=$?; python3 -c \"import socket\ntry:\n  socket.getaddrinfo('" + name +
                           "', 443)\nexcept socket.gaierror as e:\n  print('gai', e.errno)\""});
    CHECK(contains(r.r.out, "nameserver 127.0.0.1\n"));
    CHECK(contains(r.r.out, "rc=2\n"));
    CHECK(contains(r.r.out, "gai -2\n"));  // EAI_NONAME: permanent, no retry
    CHECK(r.seconds < 3.0);
    MESSAGE("network none: two lookups and the run took " << r.seconds << " s");
    if (!names.empty()) {
        auto control = bare(ws, {"getent", "hosts", name});
        CHECK(control.status == 0);
    }
}

TEST_CASE("dns none: npm install fails fast, at the lookup of its registry") {
    TempDir ws;
    if (bare(ws, {"sh", "-c", "command -v npm"}).status != 0) {
        MESSAGE("skipped: npm is not installed");
        return;
    }
    ws.write("package.json", R"({"name": "p", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}})");
    auto r = mxc_exec(ws, {"--net", "none"},
                      {"npm", "install", "--no-audit", "--no-fund", "--cache", ws.path() + "/.npm-cache",
                       "--loglevel", "http"},
                      std::chrono::milliseconds(120000));
    MESSAGE("npm install under network none: " << r.seconds << " s");
    CHECK(r.r.status != 0);
    CHECK(r.seconds < 10.0);  // was 71 s: npm's retries, 10 s then 60 s
    // The DNS step is what failed, not anything after it.
    CHECK(contains(r.r.out + r.r.err, "getaddrinfo ENOTFOUND registry.npmjs.org"));
    CHECK_FALSE(contains(r.r.out + r.r.err, "attempt 2"));
}

TEST_CASE("dns escape: the sandbox cannot take port 53 from the stub but other ports bind") {
    TempDir ws;
    const std::string bind_py =
        "import socket, sys\n"
        "for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):\n"
        "    s = socket.socket(socket.AF_INET, kind)\n"
        "    try:\n"
        "        s.bind(('127.0.0.1', int(sys.argv[1])))\n"
        "        print('bound')\n"
        "    except OSError as e:\n"
        "        print('refused', e.errno)\n";
    ws.write("bind.py", bind_py);
    for (const char* mode : {"none", "allowlist"}) {
        CAPTURE(mode);
        auto r = mxc_exec(ws, {"--net", mode}, {"python3", "bind.py", "53"});
        CHECK_FALSE(contains(r.r.out, "bound"));
        CHECK(contains(r.r.out, "refused"));
        // And the port is taken before the command exists (EADDRINUSE even
        // for a process that regained CAP_NET_BIND_SERVICE): the stub's
        // sockets are there, bound to 127.0.0.1:53.
        auto held = mxc_exec(ws, {"--net", mode},
                             {"sh", "-c", "grep -c ' 0100007F:0035 ' /proc/net/udp /proc/net/tcp"});
        CHECK(held.r.out == "/proc/net/udp:1\n/proc/net/tcp:1\n");
        // Control: the same process binds an ordinary port in its namespace.
        auto control = mxc_exec(ws, {"--net", mode}, {"python3", "bind.py", "5353"});
        CHECK(control.r.out == "bound\nbound\n");
    }
}

TEST_CASE("dns escape: 10,000 garbage datagrams and a stuck TCP client leave the stub answering") {
    const auto names = host_names();
    TempDir ws;
    ws.write("q.py", kQueryPy);
    ws.write("flood.py",
             "import os, random, socket\n"
             "random.seed(7)\n"
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
             "stuck = [socket.create_connection(('127.0.0.1', 53)) for _ in range(40)]\n"
             "for t in stuck[:5]:\n"
             "    t.sendall(b'\\xff\\xff' + os.urandom(100))\n"
             "for i in range(10000):\n"
             "    n = random.choice([0, 1, 11, 12, 13, 40, 512, 1500, 5000])\n"
             "    b = bytearray(os.urandom(n))\n"
             "    if n >= 12 and i % 2 == 0:\n"
             "        b[2] = 1; b[3] = 0; b[4] = 0; b[5] = 1\n"
             "    try:\n"
             "        s.sendto(bytes(b), ('127.0.0.1', 53))\n"
             "    except OSError:\n"
             "        pass\n"
             "print('sent')\n");
    std::vector<std::string> flags = {"--net", "none"};
    std::string check = "python3 q.py denied.example 1";
    std::string expect = "id=4242 rcode=3 an=0\n";
    if (!names.empty()) {
        flags = {"--allow-net", names.front().name, "--allow-net", names.front().addr};
        check = "python3 q.py " + names.front().name + " 1";
        expect = "id=4242 rcode=0 an=1\n";
    }
    auto r = mxc_exec(ws, flags, {"sh", "-c", "python3 flood.py && " + check + " udp && " + check + " tcp"});
    CHECK(r.r.status == 0);
    CHECK(r.r.out == "sent\n" + expect + expect);
}
