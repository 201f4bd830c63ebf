// Proxy vs direct on loopback (127.0.0.1 only): bulk throughput, CONNECTs per
// second and the latency a proxied small request adds. Not a test: run by
// scripts/bench.sh, which formats what this prints ("key value..." lines).
//
//   net_bench inproc MIB ROUNDS [PART]
//                                   mxc's EgressProxy in this process vs direct,
//                                   alternating round by round; prints
//                                   "key median min max" per figure. PART
//                                   (download, connect, latency, proxy-download,
//                                   proxy-connect) runs one part only, for
//                                   profiling with perf or strace
//   net_bench serve                 start the upstream servers, print
//                                   "ports BLAST ECHO HTTP", run until stdin
//                                   closes (at most 30 minutes)
//   net_bench client MIB BLAST ECHO HTTP [CONNS]
//                                   one round against running servers, through
//                                   the proxy in $HTTPS_PROXY (or $https_proxy,
//                                   $HTTP_PROXY, $http_proxy; user:password in
//                                   the URL becomes Proxy-Authorization), or
//                                   direct when none is set or MXC_BENCH_DIRECT=1.
//                                   This is how a sandboxed program sees the
//                                   proxy: bench.sh runs it under mxc and srt.
//                                   Under mxc without proxy variables it
//                                   connects directly: the connect broker path.
//                                   Prints download_mib_s, download_cpu_s_per_gib
//                                   (this process only), conn_s, latency_us
//   net_bench connect-cost ECHO N   N sequential connect() calls to ECHO, each
//                                   closed at once; prints "connect_us MEDIAN
//                                   MEAN" (microseconds in connect() alone):
//                                   inside mxc minus direct is the broker's
//                                   cost per connection
//   net_bench hold ECHO N           opens N connections to ECHO (1-byte echo
//                                   each) and keeps them all open; prints
//                                   "held K" once they are, then waits until
//                                   stdin closes (at most 5 minutes). bench.sh
//                                   reads the supervisor's memory meanwhile
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "loopback.hpp"
#include "net/egress_proxy.hpp"

using namespace mxc;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU seconds used by the whole process (client, servers and proxy threads):
// on a loaded machine wall-clock ratios mostly measure the neighbours.
double process_cpu() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Where the proxy is, as a client inside a sandbox learns it.
struct ProxyRef {
    std::uint16_t port = 0;  // 0: direct
    std::string auth;        // "Proxy-Authorization: Basic ...\r\n" or empty
};

std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
    }
    if (i < in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

// http://[user:pass@]host:port[/] with host 127.0.0.1 or localhost.
ProxyRef proxy_from_env() {
    ProxyRef p;
    const char* d = std::getenv("MXC_BENCH_DIRECT");
    if (d && std::string_view(d) == "1") return p;
    const char* url = nullptr;
    for (const char* name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"})
        if ((url = std::getenv(name)) && *url) break;
    if (!url || !*url) return p;
    std::string_view u(url);
    if (auto s = u.find("://"); s != std::string_view::npos) u.remove_prefix(s + 3);
    if (auto at = u.rfind('@'); at != std::string_view::npos) {
        p.auth = "Proxy-Authorization: Basic " + base64(u.substr(0, at)) + "\r\n";
        u.remove_prefix(at + 1);
    }
    if (auto slash = u.find('/'); slash != std::string_view::npos) u = u.substr(0, slash);
    auto colon = u.rfind(':');
    if (colon == std::string_view::npos) {
        std::fprintf(stderr, "net_bench: proxy URL without port: %s\n", url);
        std::exit(2);
    }
    p.port = static_cast<std::uint16_t>(std::strtoul(std::string(u.substr(colon + 1)).c_str(), nullptr, 10));
    return p;
}

// Why the first failed connection failed, for the summary line on stderr.
std::atomic_flag first_failure_seen = ATOMIC_FLAG_INIT;
std::string first_failure;

void note_failure(std::string why) {
    if (!first_failure_seen.test_and_set()) first_failure = std::move(why);
}

// Reads a reply head; the servers send nothing before the client's first
// bytes, so one recv() per chunk cannot swallow payload.
bool read_ok_head(int fd) {
    std::string head;
    char buf[512];
    while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            note_failure(n == 0 ? "proxy closed before replying"
                                : std::string("recv: ") + std::strerror(errno));
            return false;
        }
        head.append(buf, static_cast<std::size_t>(n));
    }
    if (head.rfind("HTTP/1.1 200", 0) == 0 || head.rfind("HTTP/1.0 200", 0) == 0) return true;
    note_failure("proxy replied \"" + head.substr(0, head.find('\r')) + "\"");
    return false;
}

// Opens a tunnel to 127.0.0.1:port, directly or via CONNECT.
int open_to(const ProxyRef& proxy, std::uint16_t port) {
    int fd = test::connect_loopback(proxy.port ? proxy.port : port);
    if (fd < 0) {
        note_failure(std::string("connect: ") + std::strerror(errno));
        return -1;
    }
    if (proxy.port == 0) return fd;
    std::string target = "127.0.0.1:" + std::to_string(port);
    test::send_all(fd, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + proxy.auth + "\r\n");
    if (!read_ok_head(fd)) {
        ::close(fd);
        return -1;
    }
    return fd;
}

double download_mib_s(const ProxyRef& proxy, std::uint16_t port, std::uint64_t total) {
    int fd = open_to(proxy, port);
    if (fd < 0) return 0;
    char req[8];
    std::memcpy(req, &total, 8);
    auto t0 = Clock::now();
    test::send_all(fd, std::string_view(req, 8));
    std::vector<char> buf(1 << 20);
    std::uint64_t got = 0;
    while (true) {
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        got += static_cast<std::uint64_t>(n);
    }
    double s = seconds_since(t0);
    ::close(fd);
    // A truncated transfer still says how fast bytes moved; stderr says it was short.
    if (got != total)
        std::fprintf(stderr, "net_bench: short transfer: %llu of %llu bytes\n", (unsigned long long)got,
                     (unsigned long long)total);
    return static_cast<double>(got) / (1024.0 * 1024.0) / s;
}

// Each connection: open (via CONNECT when proxied), 1-byte echo, close.
double connects_per_s(const ProxyRef& proxy, std::uint16_t port, int per_thread, int threads) {
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    ts.reserve(static_cast<std::size_t>(threads));
    std::vector<int> failed(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                int fd = open_to(proxy, port);
                char c = 'x';
                if (fd < 0 || !test::send_all(fd, std::string_view(&c, 1)) || !test::read_exact(fd, &c, 1))
                    ++failed[static_cast<std::size_t>(t)];
                if (fd >= 0) ::close(fd);
            }
        });
    for (auto& t : ts) t.join();
    double s = seconds_since(t0);
    int bad = 0;
    for (int f : failed) bad += f;
    if (bad > 0)
        std::fprintf(stderr, "net_bench: %d of %d connections failed (first: %s)\n", bad,
                     per_thread * threads, first_failure.c_str());
    return (per_thread * threads - bad) / s;
}

// Median round trip of a small HTTP request on a fresh connection.
double request_latency_us(const ProxyRef& proxy, std::uint16_t port, int count) {
    std::vector<double> samples;
    for (int i = 0; i < count; ++i) {
        auto t0 = Clock::now();
        int fd = test::connect_loopback(proxy.port ? proxy.port : port);
        if (fd < 0) continue;
        std::string target = proxy.port ? "http://127.0.0.1:" + std::to_string(port) + "/x" : "/x";
        test::send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" +
                               proxy.auth + "Connection: close\r\n\r\n");
        std::string r = test::read_to_eof(fd);
        ::close(fd);
        if (r.rfind("HTTP/1.1 200", 0) == 0) samples.push_back(seconds_since(t0) * 1e6);
    }
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

constexpr int kConnThreads = 4;
constexpr int kConnPerThread = 500;
constexpr int kLatencySamples = 300;

void print_spread(const char* key, std::vector<double> v) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    double med = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    std::printf("%s %.3f %.3f %.3f\n", key, med, v.front(), v.back());
}

void raise_nofile() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

int run_inproc(std::uint64_t mib, int rounds, const std::string& part) {
    test::Server blast(test::Server::Kind::Blast);
    test::Server echo(test::Server::Kind::Echo);
    test::Server http(test::Server::Kind::Http);
    auto matcher = net::Matcher::from_strings({"127.0.0.1:*"}, {});
    auto l = test::listen_loopback();
    auto proxy = net::EgressProxy::create(l.fd, std::move(matcher).value(), nullptr);
    if (!proxy || !(*proxy)->start()) {
        std::fprintf(stderr, "net_bench: cannot start proxy\n");
        return 1;
    }
    const ProxyRef direct{};
    const ProxyRef via{l.port, ""};
    const std::uint64_t total = mib << 20;
    std::vector<double> dtp, ptp, dcps, pcps, dlat, plat, dcpu, pcpu, dccpu, pccpu;
    auto want = [&](const char* p) { return part == "all" || part == p; };
    const int conns = kConnPerThread * kConnThreads;
    // Alternating round by round, so a noisy neighbour hurts both sides alike.
    for (int i = 0; i < rounds; ++i) {
        if (part == "proxy-download") ptp.push_back(download_mib_s(via, blast.port(), total));
        if (part == "proxy-connect")
            pcps.push_back(connects_per_s(via, echo.port(), kConnPerThread, kConnThreads));
        if (want("download")) {
            double c0 = process_cpu();
            dtp.push_back(download_mib_s(direct, blast.port(), total));
            double c1 = process_cpu();
            ptp.push_back(download_mib_s(via, blast.port(), total));
            double c2 = process_cpu();
            dcpu.push_back((c1 - c0) * 1024 / static_cast<double>(mib));
            pcpu.push_back((c2 - c1) * 1024 / static_cast<double>(mib));
        }
        if (want("connect")) {
            double c0 = process_cpu();
            dcps.push_back(connects_per_s(direct, echo.port(), kConnPerThread, kConnThreads));
            double c1 = process_cpu();
            pcps.push_back(connects_per_s(via, echo.port(), kConnPerThread, kConnThreads));
            double c2 = process_cpu();
            dccpu.push_back((c1 - c0) * 1000 / conns);
            pccpu.push_back((c2 - c1) * 1000 / conns);
        }
        if (want("latency")) {
            dlat.push_back(request_latency_us(direct, http.port(), kLatencySamples));
            plat.push_back(request_latency_us(via, http.port(), kLatencySamples));
        }
    }
    (*proxy)->stop();
    print_spread("direct_mib_s", dtp);
    print_spread("proxy_mib_s", ptp);
    print_spread("direct_cpu_s_per_gib", dcpu);
    print_spread("proxy_cpu_s_per_gib", pcpu);
    print_spread("direct_conn_s", dcps);
    print_spread("proxy_conn_s", pcps);
    print_spread("direct_cpu_s_per_1000_conn", dccpu);
    print_spread("proxy_cpu_s_per_1000_conn", pccpu);
    print_spread("direct_latency_us", dlat);
    print_spread("proxy_latency_us", plat);
    return 0;
}

int run_serve() {
    test::Server blast(test::Server::Kind::Blast);
    test::Server echo(test::Server::Kind::Echo);
    test::Server http(test::Server::Kind::Http);
    std::printf("ports %u %u %u\n", blast.port(), echo.port(), http.port());
    std::fflush(stdout);
    // Bounded: the caller closes stdin when done; a lost caller costs 30 min.
    pollfd p{0, POLLIN, 0};
    auto until = Clock::now() + std::chrono::minutes(30);
    char buf[256];
    while (Clock::now() < until) {
        if (::poll(&p, 1, 1000) > 0 && ::read(0, buf, sizeof buf) <= 0) break;
    }
    return 0;
}

int run_client(std::uint64_t mib, std::uint16_t blast, std::uint16_t echo, std::uint16_t http, int conns) {
    ProxyRef proxy = proxy_from_env();
    // A sandbox may start the command before its proxy listens (srt's socat
    // bridge sometimes does): measure the steady state, and say how long that took.
    if (proxy.port != 0) {
        auto t0 = Clock::now();
        int fd, attempts = 1;
        while ((fd = test::connect_loopback(proxy.port)) < 0 && seconds_since(t0) < 10) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            ++attempts;
        }
        if (fd >= 0) ::close(fd);
        double waited = seconds_since(t0);
        if (attempts > 1)
            std::fprintf(stderr, "net_bench: proxy port %u %s after %.0f ms\n", proxy.port,
                         fd < 0 ? "still refused" : "accepted connections only", waited * 1000);
    }
    // The client's own CPU per GiB: brokered, the bytes take the direct
    // path's route, so this should match direct even when wall time is noise.
    const double c0 = process_cpu();
    std::printf("download_mib_s %.3f\n", download_mib_s(proxy, blast, mib << 20));
    std::printf("download_cpu_s_per_gib %.3f\n", (process_cpu() - c0) * 1024 / static_cast<double>(mib));
    std::printf("conn_s %.3f\n",
                connects_per_s(proxy, echo, std::max(1, conns / kConnThreads), kConnThreads));
    std::printf("latency_us %.3f\n", request_latency_us(proxy, http, kLatencySamples));
    return 0;
}

// Time spent in connect() alone, for the broker's cost per connection: the
// socket is made, and closed, outside the timed part.
int run_connect_cost(std::uint16_t port, int count) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(count));
    int failed = 0;
    for (int i = 0; i < count; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return 1;
        auto t0 = Clock::now();
        int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
        double t = seconds_since(t0) * 1e6;
        // Closed with a reset: 10,000 sockets in TIME_WAIT per run would
        // eat the ephemeral ports the next rounds need. Set after connect,
        // so the broker has no extra option to copy.
        linger lg{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(fd);
        if (rc != 0) {
            if (failed++ == 0) note_failure(std::string("connect: ") + std::strerror(errno));
            continue;
        }
        us.push_back(t);
    }
    if (failed > 0)
        std::fprintf(stderr, "net_bench: %d of %d connects failed (first: %s)\n", failed, count,
                     first_failure.c_str());
    if (us.empty()) return 1;
    double sum = 0;
    for (double t : us) sum += t;
    std::sort(us.begin(), us.end());
    std::printf("connect_us %.3f %.3f\n", us[us.size() / 2], sum / static_cast<double>(us.size()));
    return 0;
}

// N connections open at once, each proven with a 1-byte echo; held until
// stdin closes so that the caller can look at the supervisor meanwhile.
int run_hold(std::uint16_t port, int count) {
    std::vector<int> fds;
    fds.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        int fd = open_to(ProxyRef{}, port);
        char c = 'x';
        if (fd < 0 || !test::send_all(fd, std::string_view(&c, 1)) || !test::read_exact(fd, &c, 1)) {
            if (fd >= 0) ::close(fd);
            if (first_failure.empty()) note_failure("echo failed");
            std::fprintf(stderr, "net_bench: hold: connection %d of %d failed (%s)\n", i + 1, count,
                         first_failure.c_str());
            break;
        }
        fds.push_back(fd);
    }
    std::printf("held %zu\n", fds.size());
    std::fflush(stdout);
    pollfd p{0, POLLIN, 0};
    auto until = Clock::now() + std::chrono::minutes(5);
    char buf[256];
    while (Clock::now() < until) {
        if (::poll(&p, 1, 1000) > 0 && ::read(0, buf, sizeof buf) <= 0) break;
    }
    for (int fd : fds) ::close(fd);
    return fds.size() == static_cast<std::size_t>(count) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    raise_nofile();
    std::string mode = argc > 1 ? argv[1] : "";
    auto num = [&](int i, unsigned long long dflt) {
        return argc > i ? std::strtoull(argv[i], nullptr, 10) : dflt;
    };
    if (mode == "inproc")
        return run_inproc(num(2, 1024), static_cast<int>(num(3, 3)), argc > 4 ? argv[4] : "all");
    if (mode == "serve") return run_serve();
    if (mode == "client" && (argc == 6 || argc == 7))
        return run_client(num(2, 1024), static_cast<std::uint16_t>(num(3, 0)),
                          static_cast<std::uint16_t>(num(4, 0)), static_cast<std::uint16_t>(num(5, 0)),
                          static_cast<int>(num(6, kConnPerThread * kConnThreads)));
    if (mode == "connect-cost" && argc == 4)
        return run_connect_cost(static_cast<std::uint16_t>(num(2, 0)), static_cast<int>(num(3, 10000)));
    if (mode == "hold" && argc == 4)
        return run_hold(static_cast<std::uint16_t>(num(2, 0)), static_cast<int>(num(3, 1000)));
    std::fprintf(stderr,
                 "usage: net_bench inproc [MIB [ROUNDS [PART]]]\n"
                 "       net_bench serve\n"
                 "       net_bench client MIB BLAST_PORT ECHO_PORT HTTP_PORT [CONNS]\n"
                 "       net_bench connect-cost ECHO_PORT COUNT\n"
                 "       net_bench hold ECHO_PORT COUNT\n");
    return 2;
}
