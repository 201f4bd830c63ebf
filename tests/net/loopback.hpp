#pragma once
// Loopback helpers for the proxy tests: listeners, blocking clients and small
// upstream servers. Everything binds and connects to 127.0.0.1 only.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace mxc::test {

// A listening socket on 127.0.0.1 with an ephemeral port.
struct Listener {
    int fd = -1;
    std::uint16_t port = 0;
};
Listener listen_loopback();

// Blocking client socket to 127.0.0.1:port with 20 s send/receive timeouts.
int connect_loopback(std::uint16_t port);
bool send_all(int fd, std::string_view data);
// Reads until "\r\n\r\n" (returns the head) or EOF/timeout (returns what came).
std::string read_head(int fd);
std::string read_to_eof(int fd);
bool read_exact(int fd, char* buf, std::size_t n);

// Deterministic byte stream (xorshift64*), generated on both ends of a bulk
// transfer so nothing has to be stored.
class Stream {
public:
    explicit Stream(std::uint64_t seed) : state_(seed | 1) {}
    void fill(char* buf, std::size_t n);

private:
    std::uint64_t state_;
    std::uint64_t word_ = 0;
    int left_ = 0;
};

// Upstream servers, each on its own thread, stopped and joined by the destructor.
class Server {
public:
    enum class Kind {
        Echo,   // echoes everything, half-closes after the client does
        Bulk,   // reads an 8-byte little-endian count, then sends that many Stream(count) bytes
        Http,   // answers each connection's request with "hello <request line>", Connection: close
        Blast,  // like Bulk, but repeats one fixed 256 KiB block (for benchmarks: no generation cost)
    };
    explicit Server(Kind kind);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    void run();
    Kind kind_;
    int listen_fd_ = -1;
    int stop_fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace mxc::test
