// Proxy vs direct on loopback: bulk throughput, CONNECTs per second and the
// latency a proxied small request adds. Run by scripts/bench-net.sh.
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

// Opens a tunnel to 127.0.0.1:port, directly (proxy == 0) or via CONNECT.
int open_to(std::uint16_t proxy, std::uint16_t port) {
    if (proxy == 0) return test::connect_loopback(port);
    int fd = test::connect_loopback(proxy);
    if (fd < 0) return -1;
    test::send_all(fd, "CONNECT 127.0.0.1:" + std::to_string(port) + " HTTP/1.1\r\n\r\n");
    // The reply has a known length; reading it whole keeps the client from
    // spending one recv() per byte (test::read_head) and skewing the numbers.
    static constexpr std::string_view kOk = "HTTP/1.1 200 Connection established\r\n\r\n";
    char reply[kOk.size()];
    if (!test::read_exact(fd, reply, sizeof reply) || std::string_view(reply, sizeof reply) != kOk) {
        ::close(fd);
        return -1;
    }
    return fd;
}

double download_mib_s(std::uint16_t proxy, std::uint16_t port, std::uint64_t total) {
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
    if (got != total)
        std::fprintf(stderr, "short transfer: %llu of %llu\n", (unsigned long long)got,
                     (unsigned long long)total);
    return static_cast<double>(got) / (1024.0 * 1024.0) / s;
}

// Each connection: open (via CONNECT when proxied), 1-byte echo, close.
double connects_per_s(std::uint16_t proxy, std::uint16_t port, int per_thread, int threads) {
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) {
                int fd = open_to(proxy, port);
                if (fd < 0) continue;
                char c = 'x';
                test::send_all(fd, std::string_view(&c, 1));
                test::read_exact(fd, &c, 1);
                ::close(fd);
            }
        });
    for (auto& t : ts) t.join();
    return per_thread * threads / seconds_since(t0);
}

// Median round trip of a small HTTP request on a fresh connection.
double request_latency_us(std::uint16_t proxy, std::uint16_t port, int count) {
    std::vector<double> samples;
    for (int i = 0; i < count; ++i) {
        auto t0 = Clock::now();
        int fd = test::connect_loopback(proxy ? proxy : port);
        std::string target = proxy ? "http://127.0.0.1:" + std::to_string(port) + "/x" : "/x";
        test::send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        std::string r = test::read_to_eof(fd);
        ::close(fd);
        if (r.rfind("HTTP/1.1 200", 0) == 0) samples.push_back(seconds_since(t0) * 1e6);
    }
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);

    test::Server blast(test::Server::Kind::Blast);
    test::Server echo(test::Server::Kind::Echo);
    test::Server http(test::Server::Kind::Http);
    auto matcher = net::Matcher::from_strings({"127.0.0.1:*"}, {});
    auto l = test::listen_loopback();
    auto proxy = net::EgressProxy::create(l.fd, std::move(matcher).value(), nullptr);
    if (!proxy || !(*proxy)->start()) {
        std::fprintf(stderr, "cannot start proxy\n");
        return 1;
    }
    const std::uint64_t total = mib << 20;

    // Best of three, alternating, so a noisy neighbour hurts both sides alike.
    double direct_tp = 0, proxy_tp = 0, direct_cpu = 0, proxy_cpu = 0;
    for (int i = 0; i < 3; ++i) {
        double c0 = process_cpu();
        direct_tp = std::max(direct_tp, download_mib_s(0, blast.port(), total));
        double c1 = process_cpu();
        proxy_tp = std::max(proxy_tp, download_mib_s(l.port, blast.port(), total));
        double c2 = process_cpu();
        direct_cpu += c1 - c0;
        proxy_cpu += c2 - c1;
    }
    std::printf("download %llu MiB: direct %.0f MiB/s, proxy %.0f MiB/s, ratio %.2f (goal >= 0.90)\n",
                (unsigned long long)mib, direct_tp, proxy_tp, proxy_tp / direct_tp);
    std::printf("  cpu per GiB (all threads): direct %.2f s, proxy %.2f s\n",
                direct_cpu / 3 * 1024 / static_cast<double>(mib),
                proxy_cpu / 3 * 1024 / static_cast<double>(mib));

    double direct_cps = 0, proxy_cps = 0, direct_ccpu = 0, proxy_ccpu = 0;
    for (int i = 0; i < 3; ++i) {
        double c0 = process_cpu();
        direct_cps = std::max(direct_cps, connects_per_s(0, echo.port(), 500, 4));
        double c1 = process_cpu();
        proxy_cps = std::max(proxy_cps, connects_per_s(l.port, echo.port(), 500, 4));
        double c2 = process_cpu();
        direct_ccpu += c1 - c0;
        proxy_ccpu += c2 - c1;
    }
    std::printf(
        "connections/s (4 clients, 1-byte echo each): direct %.0f, proxy %.0f, ratio %.2f (goal >= 0.50)\n",
        direct_cps, proxy_cps, proxy_cps / direct_cps);
    // 3 rounds x 2,000 connections each.
    std::printf("  cpu per 1000 connections (all threads): direct %.3f s, proxy %.3f s\n", direct_ccpu / 6,
                proxy_ccpu / 6);

    double direct_us = request_latency_us(0, http.port(), 500);
    double proxy_us = request_latency_us(l.port, http.port(), 500);
    std::printf(
        "small HTTP request, fresh connection, median: direct %.0f us, proxy %.0f us, added %.0f us\n",
        direct_us, proxy_us, proxy_us - direct_us);
    (*proxy)->stop();
    return 0;
}
