// The supervisor's network services (connect broker, egress proxy, DNS
// stub) start when the sandbox first uses them, not at launch (issue 14): a
// command that never touches the network costs no service thread. Seen
// through -v, which logs "network: <service> started on first use" each
// time one starts. The behaviour of a service started late is the one the
// network tests check (dns_stub_test.cpp, network_allowlist_test.cpp, the
// escape tests); here each case also checks the answer the sandbox got.
#include <doctest/doctest.h>

#include <dirent.h>

#include <chrono>
#include <string>
#include <vector>

#include "support.hpp"

using mxc::itest::Background;
using mxc::itest::contains;
using mxc::itest::kSanitized;
using mxc::itest::plain_env;
using mxc::itest::wait_for_file;
using mxc::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

struct Timed {
    mxc::test::RunResult r;
    double seconds = 0;
};

Timed mxc_verbose(const TempDir& ws, const std::string& profile, const std::vector<std::string>& command,
                  const std::string& preload = {}) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "exec", "-p", profile, "-v", "-w", ws.path(), "--"};
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.cwd = ws.path();
    spec.env = plain_env();
    if (!preload.empty()) (*spec.env)["LD_PRELOAD"] = preload;
    spec.timeout = std::chrono::milliseconds(30000);
    const auto start = Clock::now();
    Timed t{mxc::test::run(spec), 0};
    t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return t;
}

// Threads of a running process, -1 if it is gone.
int threads_of(pid_t pid) {
    DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
    if (d == nullptr) return -1;
    int n = 0;
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
    return n;
}

constexpr const char* kBroker = "setup: network: connect broker started on first use";
constexpr const char* kProxy = "setup: network: egress proxy started on first use";
constexpr const char* kDns = "setup: network: DNS stub started on first use";

}  // namespace

TEST_CASE("network first use: a command that uses no network starts no service") {
    TempDir ws;
    for (const char* profile : {"default", "coding-agent"}) {
        CAPTURE(profile);
        // Several runs: init's exit (the seccomp listener's hangup) races
        // its SIGCHLD in the supervisor's wait loop.
        for (int i = 0; i < 5; ++i) {
            auto t = mxc_verbose(ws, profile, {"true"});
            CHECK(t.r.status == 0);
            CHECK(contains(t.r.err, "setup: network: sockets received"));
            CHECK_FALSE(contains(t.r.err, "started on first use"));
        }
    }
}

TEST_CASE("network first use: the supervisor runs one thread until the command looks up a name") {
    TempDir ws;
    const std::string dir = ws.path();
    // Waits for "go" twice: once before any network use, once after a
    // lookup (which starts the DNS stub and, for its connect(), the broker).
    const std::string script = "touch " + dir + "/ready1; while [ ! -e " + dir +
                               "/go1 ]; do sleep 0.02; done; getent hosts denied.example; touch " + dir +
                               "/ready2; while [ ! -e " + dir + "/go2 ]; do sleep 0.02; done";
    Background mxc({MXC_BINARY, "exec", "-p", "coding-agent", "-w", dir, "--", "sh", "-c", script}, dir);
    REQUIRE(wait_for_file(dir + "/ready1"));
    const int before = threads_of(mxc.pid());
    ws.write("go1", "");
    REQUIRE(wait_for_file(dir + "/ready2"));
    const int after = threads_of(mxc.pid());
    ws.write("go2", "");
    CHECK(mxc.wait() == 0);
    CHECK(before == 1);
    // The control: the count sees the service threads once they exist (the
    // stub's own and its resolver threads, the broker's).
    CHECK(after > 1);
    MESSAGE("supervisor threads: " << before << " before any network use, " << after << " after a lookup");
}

TEST_CASE(
    "network first use: a name lookup starts the DNS stub, and a name no rule covers is refused as before") {
    TempDir ws;
    auto t = mxc_verbose(ws, "coding-agent", {"sh", "-c", "getent hosts denied.example; echo rc=$?"});
    CHECK(t.r.status == 0);
    CHECK(t.r.out == "rc=2\n");  // 2: not found
    CHECK(t.seconds < 5.0);
    CHECK(contains(t.r.err, kDns));
    CHECK(contains(t.r.err, "mxc: blocked name lookup of denied.example (not allowed by \"coding-agent\""));
    CHECK_FALSE(contains(t.r.err, kProxy));  // nothing connected to it
}

TEST_CASE(
    "network first use: a client of the proxy starts the broker and the proxy, and a denied host gets 403") {
    TempDir ws;
    // The proxy address from the environment mxc gives the command.
    ws.write("connect.py",
             "import os, socket, urllib.parse\n"
             "u = urllib.parse.urlsplit(os.environ['HTTPS_PROXY'])\n"
             "s = socket.create_connection((u.hostname, u.port), timeout=5)\n"
             "s.sendall(b'CONNECT denied.example:443 HTTP/1.1\\r\\nHost: denied.example:443\\r\\n\\r\\n')\n"
             "r = b''\n"
             "while b'\\r\\n\\r\\n' not in r:\n"
             "    b = s.recv(4096)\n"
             "    if not b: break\n"
             "    r += b\n"
             "print(r.split(b'\\r\\n')[0].decode())\n");
    auto t = mxc_verbose(ws, "coding-agent", {"python3", "connect.py"});
    CHECK(t.r.status == 0);
    CHECK(t.r.out == "HTTP/1.1 403 Forbidden\n");
    CHECK(contains(t.r.err, kBroker));
    CHECK(contains(t.r.err, kProxy));
    CHECK_FALSE(contains(t.r.err, kDns));  // no name was looked up
}

TEST_CASE("network first use: under network none a connect starts the broker, which refuses it at once") {
    TempDir ws;
    // 192.0.2.1 (TEST-NET-1): a refusal that took a real attempt would time
    // out, not be refused.
    auto t = mxc_verbose(ws, "default",
                         {"python3", "-c",
                          "import socket\n"
                          "s = socket.socket()\n"
                          "s.settimeout(5)\n"
                          "try:\n"
                          "    s.connect(('192.0.2.1', 80))\n"
                          "    print('connected')\n"
                          "except OSError as e:\n"
                          "    print('errno', e.errno)\n"});
    CHECK(t.r.status == 0);
    CHECK(t.r.out == "errno 111\n");  // ECONNREFUSED
    CHECK(t.seconds < 5.0);
    CHECK(contains(t.r.err, kBroker));
    CHECK(contains(t.r.err, "mxc: blocked 192.0.2.1:80"));
    CHECK_FALSE(contains(t.r.err, kDns));
}

// The shim is an LD_PRELOAD library, and an ASan-instrumented mxc refuses to
// start when its runtime is not first in the library list ("ASan runtime
// does not come first", exit 1); TSan likewise wraps pthread_create. The
// Release build runs it.
TEST_CASE("network first use: with no thread creatable, true still runs and a lookup fails the run with 125" *
          doctest::skip(kSanitized)) {
    TempDir ws;
    // Every pthread_create() of mxc fails (fail_threads_preload.cpp). A run
    // that uses no network needs no thread at all (before issue 14 the
    // services' threads made every such run fail).
    for (const char* profile : {"default", "coding-agent"}) {
        CAPTURE(profile);
        auto t = mxc_verbose(ws, profile, {"true"}, MXC_FAIL_THREADS);
        CHECK(t.r.status == 0);
        CHECK_FALSE(contains(t.r.err, "internal error"));
    }
    // A service that cannot start is mxc's own failure (exit 125, one line
    // saying why), never a sandbox silently left without it.
    auto t = mxc_verbose(ws, "coding-agent", {"sh", "-c", "getent hosts denied.example; echo rc=$?"},
                         MXC_FAIL_THREADS);
    CHECK(t.r.status == 125);
    CHECK(contains(t.r.err, "mxc: network: a service thread could not start"));
    CHECK(t.seconds < 5.0);
}
