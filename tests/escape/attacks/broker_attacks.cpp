#include "broker_attacks.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace mxc::attack {
namespace {

sockaddr_in address(const std::string& ip, const std::string& port) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
    if (inet_pton(AF_INET, ip.c_str(), &sin.sin_addr) != 1) throw std::runtime_error("bad address " + ip);
    return sin;
}

int tcp_socket() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    return fd;
}

int connect_to(int fd, const sockaddr_in& sin) {
    return connect(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
}

// Reads until `marker` shows up, EOF, or `ms` without data.
bool read_marker(int fd, const std::string& marker, int ms = 1000) {
    std::string got;
    char buf[256];
    pollfd p{fd, POLLIN, 0};
    while (got.find(marker) == std::string::npos && poll(&p, 1, ms) > 0) {
        // Never blocks: the descriptor may change under us (connect_fd_swap).
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) continue;
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got.find(marker) != std::string::npos;
}

// Dissolves the socket's association (connect(AF_UNSPEC)): the socket layer
// then takes it as unconnected again, so it can listen or connect anew.
bool disconnect(int fd) {
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    return connect(fd, &unspec, sizeof unspec) == 0;
}

// Connects to the decoy, reads its greeting to EOF and closes our side, so
// the socket ends in TCP_CLOSE. Inside mxc it is a socket the broker
// connected in the host's namespace.
int closed_connection(const sockaddr_in& decoy) {
    const int fd = tcp_socket();
    if (connect_to(fd, decoy) != 0)
        throw std::runtime_error(std::string("connect to the decoy: ") + std::strerror(errno));
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    shutdown(fd, SHUT_WR);
    for (int i = 0; i < 200; ++i) {
        tcp_info info{};
        socklen_t len = sizeof info;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_state == TCP_CLOSE)
            return fd;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("the decoy connection never reached TCP_CLOSE");
}

}  // namespace

int connect_race(const Args& a) {
    const sockaddr_in target = address(a.at(0), a.at(1));
    const sockaddr_in decoy = address(a.at(2), a.at(3));
    const std::string& marker = a.at(4);
    sockaddr_in shared = decoy;
    std::atomic<bool> stop{false};
    std::atomic<int> flips{0};
    std::thread flipper([&] {
        auto* bytes = reinterpret_cast<volatile unsigned char*>(&shared);
        while (!stop.load(std::memory_order_relaxed)) {
            for (const sockaddr_in* s : {&target, &decoy}) {
                const auto* src = reinterpret_cast<const unsigned char*>(s);
                for (std::size_t i = 0; i < sizeof shared; ++i) bytes[i] = src[i];
            }
            ++flips;
        }
    });
    bool reached = false;
    while (flips.load() < 100) std::this_thread::yield();  // see connect_fd_swap
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!reached && std::chrono::steady_clock::now() < until) {
        const int fd = tcp_socket();
        if (connect(fd, reinterpret_cast<const sockaddr*>(&shared), sizeof shared) == 0)
            reached = read_marker(fd, marker, 300);
        close(fd);
    }
    stop = true;
    flipper.join();
    if (reached) return succeeded("reached the target while the address flipped");
    return blocked("two seconds of connects with a flipping address never reached the target", 0);
}

int connect_fd_swap(const Args& a) {
    const sockaddr_in target = address(a.at(0), a.at(1));
    const sockaddr_in decoy = address(a.at(2), a.at(3));
    const std::string& marker = a.at(4);
    const int host_socket = closed_connection(decoy);
    // Inside mxc the broker refuses this on its socket; the swap below is
    // then tried with the socket as it is.
    (void)disconnect(host_socket);
    const int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int fd = tcp_socket();
    std::atomic<bool> stop{false};
    std::atomic<int> swaps{0};
    std::thread swapper([&] {
        while (!stop.load(std::memory_order_relaxed)) {
            dup3(host_socket, fd, O_CLOEXEC);
            dup3(udp, fd, O_CLOEXEC);
            ++swaps;
        }
    });
    bool reached = false;
    // Two seconds of attempts, counted from the swapper's first swaps: on a
    // loaded machine it may not run at all during a fixed number of tries.
    while (swaps.load() < 100) std::this_thread::yield();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!reached && std::chrono::steady_clock::now() < until) {
        // A UDP connect succeeds without a peer: only a stream socket can
        // carry the greeting (the type may change again; this only saves time).
        if (connect_to(fd, target) != 0) continue;
        // Hold on to whatever the descriptor is now; the swapper keeps going.
        const int snapshot = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(snapshot, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
            reached = read_marker(snapshot, marker, 100);
        close(snapshot);
        // The connect may have landed on the other socket, swapped out since.
        if (!reached) reached = read_marker(host_socket, marker, 200);
    }
    stop = true;
    swapper.join();
    if (!reached) reached = read_marker(host_socket, marker, 1000);
    if (reached) return succeeded("reached the target through a swapped descriptor");
    return blocked("two seconds of connects on a swapped descriptor never reached the target", 0);
}

int connect_flood(const Args& a) {
    const sockaddr_in target = address(a.at(0), a.at(1));
    const int count = std::stoi(a.at(2));
    const sockaddr_in allowed = address(a.at(3), a.at(4));
    const std::string& marker = a.at(5);
    for (int i = 0; i < count; ++i) {
        const int fd = tcp_socket();
        const bool connected = connect_to(fd, target) == 0;
        const bool reached = connected && read_marker(fd, marker, 300);
        close(fd);
        if (reached) return succeeded("reached the target on attempt " + std::to_string(i + 1));
    }
    const int fd = tcp_socket();
    const bool ok = connect_to(fd, allowed) == 0;
    const int err = errno;
    close(fd);
    if (!ok) return error(std::string("the allowed connect failed after the flood: ") + std::strerror(err));
    return blocked(std::to_string(count) + " connects to the target refused; the allowed one still works", 0);
}

int connect_bad_args(const Args& a) {
    const sockaddr_in allowed = address(a.at(0), a.at(1));
    struct Case {
        const char* what;
        int expected;
        int (*call)(int fd, const sockaddr_in& sin);
    };
    const Case cases[] = {
        {"length 0", EINVAL,
         [](int fd, const sockaddr_in& sin) {
             return connect(fd, reinterpret_cast<const sockaddr*>(&sin), 0);
         }},
        {"length 1", EINVAL,
         [](int fd, const sockaddr_in& sin) {
             return connect(fd, reinterpret_cast<const sockaddr*>(&sin), 1);
         }},
        {"length 8 (short sockaddr_in)", EINVAL,
         [](int fd, const sockaddr_in& sin) {
             return connect(fd, reinterpret_cast<const sockaddr*>(&sin), 8);
         }},
        {"length 129 (over sockaddr_storage)", EINVAL,
         [](int fd, const sockaddr_in&) {
             sockaddr_storage big{};
             return connect(fd, reinterpret_cast<const sockaddr*>(&big), sizeof big + 1);
         }},
        {"length -1", EINVAL,
         [](int fd, const sockaddr_in& sin) {
             return connect(fd, reinterpret_cast<const sockaddr*>(&sin), static_cast<socklen_t>(-1));
         }},
        {"unmapped address", EFAULT,
         [](int fd, const sockaddr_in&) {
             // NOLINTNEXTLINE(performance-no-int-to-ptr)
             return connect(fd, reinterpret_cast<const sockaddr*>(std::uintptr_t{16}), sizeof(sockaddr_in));
         }},
        {"AF_INET6 address on an AF_INET socket", EAFNOSUPPORT,
         [](int fd, const sockaddr_in&) {
             sockaddr_in6 six{};
             six.sin6_family = AF_INET6;
             six.sin6_port = htons(9);
             six.sin6_addr = in6addr_loopback;
             return connect(fd, reinterpret_cast<const sockaddr*>(&six), sizeof six);
         }},
        {"descriptor not open", EBADF, [](int, const sockaddr_in& sin) { return connect_to(9999, sin); }},
        {"descriptor not a socket", ENOTSOCK,
         [](int, const sockaddr_in& sin) {
             int p[2];
             if (pipe2(p, O_CLOEXEC) != 0) return -2;
             const int rc = connect_to(p[0], sin);
             const int err = errno;
             close(p[0]);
             close(p[1]);
             errno = err;
             return rc;
         }},
    };
    std::string mismatches;
    for (const Case& c : cases) {
        const int fd = tcp_socket();
        errno = 0;
        const int rc = c.call(fd, allowed);
        const int err = errno;
        close(fd);
        if (rc != -1 || err != c.expected) {
            mismatches += std::string("\n  ") + c.what + ": rc " + std::to_string(rc) + ", " +
                          std::strerror(err) + " (expected " + std::strerror(c.expected) + ")";
        }
    }
    if (!mismatches.empty()) return error("errors differ from the kernel's:" + mismatches);
    const int fd = tcp_socket();
    const bool ok = connect_to(fd, allowed) == 0;
    close(fd);
    if (!ok) return error(std::string("the allowed connect failed afterwards: ") + std::strerror(errno));
    return succeeded("every malformed connect got the kernel's error; the allowed one works");
}

int connect_killed_midway(const Args& a) {
    const sockaddr_in allowed = address(a.at(0), a.at(1));
    for (int round = 0; round < 30; ++round) {
        const pid_t pid = fork();
        if (pid < 0) return error("fork");
        if (pid == 0) {
            // Several threads, so a kill lands in the middle of a brokered call.
            for (int t = 0; t < 3; ++t) {
                std::thread([&allowed] {
                    for (;;) {
                        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        connect_to(fd, allowed);
                        close(fd);
                    }
                }).detach();
            }
            for (;;) pause();
        }
        std::this_thread::sleep_for(std::chrono::microseconds(2000 + round * 300));
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    const int fd = tcp_socket();
    const bool ok = connect_to(fd, allowed) == 0;
    const int err = errno;
    close(fd);
    if (!ok) return error(std::string("the allowed connect failed after the kills: ") + std::strerror(err));
    return succeeded("30 processes killed in the middle of connects; the allowed connect still works");
}

int fastopen_reuse(const Args& a) {
    const sockaddr_in decoy = address(a.at(0), a.at(1));
    const sockaddr_in target = address(a.at(2), a.at(3));
    const std::string& marker = a.at(4);
    const int fd = closed_connection(decoy);
    if (!disconnect(fd)) return blocked("connect(AF_UNSPEC) on a closed connection's socket");
    const char byte = 'x';
    if (sendto(fd, &byte, 1, MSG_FASTOPEN, reinterpret_cast<const sockaddr*>(&target), sizeof target) < 0)
        return blocked("sendto(MSG_FASTOPEN) to the target on a closed connection's socket");
    return verdict(read_marker(fd, marker), "read the target's greeting after sendto(MSG_FASTOPEN)");
}

int listen_reuse(const Args& a) {
    const int fd = closed_connection(address(a.at(0), a.at(1)));
    if (!disconnect(fd)) return blocked("connect(AF_UNSPEC) on a closed connection's socket");
    return verdict(listen(fd, 1) == 0, "listen() on the socket of a closed connection");
}

}  // namespace mxc::attack
