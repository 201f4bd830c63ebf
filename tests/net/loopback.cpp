#include "loopback.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

namespace mxc::test {

Listener listen_loopback() {
    Listener l;
    l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l.fd < 0) throw std::runtime_error("socket");
    int one = 1;
    ::setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(l.fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) throw std::runtime_error("bind");
    if (::listen(l.fd, 4096) != 0) throw std::runtime_error("listen");
    socklen_t len = sizeof sin;
    ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&sin), &len);
    l.port = ntohs(sin.sin_port);
    return l;
}

int connect_loopback(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    timeval tv{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string read_head(int fd) {
    std::string out;
    char c;
    while (out.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, &c, 1, 0);
        if (n <= 0) break;
        out.push_back(c);
    }
    return out;
}

std::string read_to_eof(int fd) {
    std::string out;
    char buf[4096];
    while (true) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

bool read_exact(int fd, char* buf, std::size_t n) {
    while (n > 0) {
        ssize_t r = ::recv(fd, buf, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        buf += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

void Stream::fill(char* buf, std::size_t n) {
    auto next = [this] {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1DULL;
    };
    std::size_t i = 0;
    while (i < n && left_ > 0) {
        buf[i++] = static_cast<char>(word_ & 0xff);
        word_ >>= 8;
        --left_;
    }
    // Whole words at once (little-endian: the same byte order as above).
    while (n - i >= 8) {
        std::uint64_t w = next();
        std::memcpy(buf + i, &w, 8);
        i += 8;
    }
    if (i < n) {
        word_ = next();
        left_ = 8;
        while (i < n) {
            buf[i++] = static_cast<char>(word_ & 0xff);
            word_ >>= 8;
            --left_;
        }
    }
}

Server::Server(Kind kind) : kind_(kind) {
    Listener l = listen_loopback();
    listen_fd_ = l.fd;
    port_ = l.port;
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { run(); });
}

Server::~Server() {
    std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    thread_.join();
    ::close(listen_fd_);
    ::close(stop_fd_);
}

namespace {

struct Peer {
    std::string out;              // bytes still to send
    std::string in;               // request bytes (Bulk/Http)
    std::uint64_t remaining = 0;  // Bulk: bytes still to generate
    Stream stream{1};
    bool started = false;
    bool read_eof = false;
};

}  // namespace

// One epoll loop, level-triggered, so the servers cope with 1,000+ clients.
void Server::run() {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    auto add = [&](int fd, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    };
    auto mod = [&](int fd, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    };
    add(listen_fd_, EPOLLIN);
    add(stop_fd_, EPOLLIN);
    std::map<int, Peer> peers;
    std::vector<char> buf(256 * 1024);
    std::string block(256 * 1024, '\0');
    Stream(7).fill(block.data(), block.size());
    // Keeps each peer's memory bounded: the next chunk is made only when the
    // previous one is gone.
    auto refill = [&](Peer& p) {
        std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(p.remaining, block.size()));
        if (kind_ == Kind::Blast) {
            p.out.assign(block.data(), chunk);
        } else {
            p.out.resize(chunk);
            p.stream.fill(p.out.data(), chunk);
        }
        p.remaining -= chunk;
    };
    auto close_peer = [&](int fd) {
        ::close(fd);
        peers.erase(fd);
    };
    epoll_event events[128];
    while (true) {
        int n = ::epoll_wait(ep, events, 128, 1000);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == stop_fd_) {
                for (auto& [pfd, p] : peers) ::close(pfd);
                ::close(ep);
                return;
            }
            if (fd == listen_fd_) {
                while (true) {
                    int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    peers[c] = Peer{};
                    add(c, EPOLLIN);
                }
                continue;
            }
            auto it = peers.find(fd);
            if (it == peers.end()) continue;
            Peer& p = it->second;
            bool dead = false;
            if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !p.read_eof) {
                ssize_t r = ::recv(fd, buf.data(), 64 * 1024, 0);
                if (r > 0) {
                    if (kind_ == Kind::Echo) {
                        p.out.append(buf.data(), static_cast<std::size_t>(r));
                    } else {
                        p.in.append(buf.data(), static_cast<std::size_t>(r));
                    }
                } else if (r == 0) {
                    p.read_eof = true;
                } else if (errno != EAGAIN) {
                    dead = true;
                }
            }
            if (!dead && !p.started) {
                if ((kind_ == Kind::Bulk || kind_ == Kind::Blast) && p.in.size() >= 8) {
                    std::uint64_t count = 0;
                    std::memcpy(&count, p.in.data(), 8);
                    p.remaining = count;
                    p.stream = Stream(count);
                    p.started = true;
                } else if (kind_ == Kind::Http && p.in.find("\r\n\r\n") != std::string::npos) {
                    std::string line = p.in.substr(0, p.in.find("\r\n"));
                    std::string body = "hello " + line + "\n";
                    bool has_host = p.in.find("\r\nHost: ") != std::string::npos;
                    if (!has_host) body = "missing Host\n";
                    p.out = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n\r\n" + body;
                    p.started = true;
                }
            }
            // Refill from the generator only when the previous chunk is gone,
            // keeping each peer's memory bounded.
            if (!dead && p.started && p.out.empty() && p.remaining > 0) refill(p);
            while (!dead && !p.out.empty()) {
                ssize_t w = ::send(fd, p.out.data(), p.out.size(), MSG_NOSIGNAL);
                if (w > 0) {
                    p.out.erase(0, static_cast<std::size_t>(w));
                    if (p.out.empty() && p.remaining > 0) refill(p);
                } else if (w < 0 && errno == EAGAIN) {
                    break;
                } else {
                    dead = true;
                }
            }
            bool finished_sending =
                p.out.empty() && (kind_ == Kind::Echo ? p.read_eof : (p.started && p.remaining == 0));
            if (dead) {
                close_peer(fd);
                continue;
            }
            if (finished_sending) {
                if (kind_ == Kind::Echo || kind_ == Kind::Http) {
                    ::shutdown(fd, SHUT_WR);
                    if (p.read_eof || kind_ == Kind::Http) {
                        close_peer(fd);
                        continue;
                    }
                } else {
                    close_peer(fd);
                    continue;
                }
            }
            std::uint32_t want = (p.read_eof ? 0u : static_cast<std::uint32_t>(EPOLLIN)) |
                                 (p.out.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT));
            if (want == 0) want = EPOLLIN;  // keep error reporting alive
            mod(fd, want);
        }
    }
}

}  // namespace mxc::test
