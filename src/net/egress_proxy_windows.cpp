// The egress proxy on Windows (Winsock). What is decided and what is
// answered comes from proxy_session.hpp, exactly as on Linux; this file only
// makes sockets and moves bytes.
//
// Why a thread per connection: the Windows sandbox shares the host's
// loopback, so the proxy serves one sandboxed command (an agent's package
// downloads and API calls: tens of connections, not thousands). A thread per
// connection with a bounded buffer each way keeps the code short and
// auditable, and needs no IOCP machinery. Sockets are non-blocking and every
// wait is a select() of at most kPoll, so a connection's thread notices stop()
// promptly and one slow peer never stalls the other direction.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00  // as the rest of the Windows build; GetAddrInfoW needs >= 0x0502
#endif
// winsock2.h before windows.h, which could otherwise pull in winsock.h.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <list>
#include <memory>
#include <thread>
#include <utility>

#include "common/win_error.hpp"
#include "net/egress_proxy.hpp"
#include "net/http_parser.hpp"
#include "net/local_addresses.hpp"
#include "net/proxy_session.hpp"
#include "net/socket_address.hpp"

// mingw-w64 10 may lack it (winsock2.h, Windows 7 SP1 and later): the new
// socket handle is not inheritable.
#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

namespace mxc::net {
namespace {

using namespace proxy_detail;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = std::size_t{64} * 1024;  // per direction: the bounded relay buffer
constexpr std::chrono::milliseconds kPoll{200};         // longest wait before re-checking stop()
constexpr std::chrono::milliseconds kDrainTime{2000};
// Threads, not sockets, are the scarce resource here; beyond this many live
// connections new clients are closed at once (an agent never gets close).
constexpr std::size_t kMaxThreads = 512;

std::string wsa_text(int err) {
    return win_error_message(static_cast<unsigned long>(err));
}

class Socket {
public:
    Socket() = default;
    explicit Socket(SOCKET s) : s_(s) {}
    ~Socket() { reset(); }
    Socket(Socket&& o) noexcept : s_(std::exchange(o.s_, INVALID_SOCKET)) {}
    Socket& operator=(Socket&& o) noexcept {
        if (this != &o) {
            reset();
            s_ = std::exchange(o.s_, INVALID_SOCKET);
        }
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    [[nodiscard]] SOCKET get() const { return s_; }
    [[nodiscard]] bool valid() const { return s_ != INVALID_SOCKET; }
    void reset() {
        if (s_ != INVALID_SOCKET) closesocket(s_);
        s_ = INVALID_SOCKET;
    }

private:
    SOCKET s_ = INVALID_SOCKET;
};

// WSAStartup is reference-counted: each proxy holds one reference.
class WinsockSession {
public:
    WinsockSession() {
        WSADATA data;
        ok_ = WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }
    ~WinsockSession() {
        if (ok_) WSACleanup();
    }
    WinsockSession(const WinsockSession&) = delete;
    WinsockSession& operator=(const WinsockSession&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }

private:
    bool ok_ = false;
};

Socket new_socket(int family) {
    return Socket(WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
}

bool set_nonblocking(SOCKET s) {
    u_long one = 1;
    return ioctlsocket(s, FIONBIO, &one) == 0;
}

void set_nodelay(SOCKET s) {
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
}

bool would_block(int err) {
    return err == WSAEWOULDBLOCK || err == WSAEINPROGRESS || err == WSAEINTR;
}

enum class Wait { Ready, Timeout, Stopped, Error };

// Waits until `s` is readable (or, with `write`, writable or failed to
// connect), `deadline` passes or the proxy stops.
Wait wait_for(SOCKET s, bool write, const std::atomic<bool>& stopping, Clock::time_point deadline) {
    while (true) {
        if (stopping) return Wait::Stopped;
        auto now = Clock::now();
        if (now >= deadline) return Wait::Timeout;
        auto slice = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), kPoll);
        timeval tv{};
        tv.tv_sec = static_cast<long>(slice.count() / 1000);
        tv.tv_usec = static_cast<long>((slice.count() % 1000) * 1000);
        fd_set fds, errs;
        FD_ZERO(&fds);
        FD_ZERO(&errs);
        FD_SET(s, &fds);
        FD_SET(s, &errs);  // a failed non-blocking connect is reported here, not as writable
        int n = select(0, write ? nullptr : &fds, write ? &fds : nullptr, &errs, &tv);
        if (n == SOCKET_ERROR) return Wait::Error;
        if (n > 0) return Wait::Ready;
    }
}

// One direction of the relay: at most kChunk bytes in flight.
struct Direction {
    SOCKET src = INVALID_SOCKET;
    SOCKET dst = INVALID_SOCKET;
    std::string pending;  // read from src, not yet written to dst
    std::size_t off = 0;
    bool src_eof = false;
    bool dst_shut = false;
    bool half_close = true;  // pass EOF on with shutdown(dst, SD_SEND)
    BodyFramer body;         // active for absolute-form HTTP request bodies
    std::uint64_t bytes = 0;

    [[nodiscard]] bool idle() const { return off >= pending.size(); }
    [[nodiscard]] bool finished() const { return src_eof && idle() && (dst_shut || !half_close); }
    [[nodiscard]] bool wants_read() const { return !src_eof && idle(); }

    // False when the connection must be torn down.
    bool queue(std::string_view data) {
        std::size_t take = body.take(data);
        if (body.error()) return false;
        if (body.done()) src_eof = true;
        // Whatever follows the body (a pipelined second request) is dropped.
        pending.assign(data.substr(0, take));
        off = 0;
        return true;
    }

    bool pump(bool readable, bool writable) {
        if (!idle() && writable) {
            int n = send(dst, pending.data() + off, static_cast<int>(pending.size() - off), 0);
            if (n > 0) {
                off += static_cast<std::size_t>(n);
                bytes += static_cast<std::uint64_t>(n);
            } else if (!would_block(WSAGetLastError())) {
                return false;
            }
        }
        if (wants_read() && readable) {
            char buf[kChunk];
            int n = recv(src, buf, static_cast<int>(sizeof buf), 0);
            if (n > 0) {
                if (!queue(std::string_view(buf, static_cast<std::size_t>(n)))) return false;
            } else if (n == 0) {
                src_eof = true;
            } else if (!would_block(WSAGetLastError())) {
                return false;
            }
        }
        if (src_eof && idle() && half_close && !dst_shut) {
            shutdown(dst, SD_SEND);
            dst_shut = true;
        }
        return true;
    }
};

// One proxied connection, run on its own thread from accept to close.
class Session {
public:
    Session(Socket client, const Matcher& matcher, const EgressProxy::NetCallback& on_event,
            const EgressProxyOptions& options, const std::atomic<bool>& stopping)
        : client_(std::move(client)),
          matcher_(matcher),
          on_event_(on_event),
          options_(options),
          stopping_(stopping) {}

    ~Session() {
        // Allowed connections are reported at close, with their byte counts.
        if (decided_ && !event_sent_) emit(req_.decision.allowed);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void run() {
        deadline_ = Clock::now() + options_.handshake_timeout;
        if (!read_request()) return;
        req_.proto = reader_.proto();
        req_.raw_host = reader_.host();
        req_.port = reader_.port();
        after_request_ = reader_.take_after_request();
        if (!decide_request(matcher_, req_)) return deny();
        if (!req_.target.is_ip && !resolve()) return;
        decided_ = true;
        if (!connect_upstream()) return;
        relay();
    }

private:
    bool send_all(SOCKET s, std::string_view data) {
        while (!data.empty()) {
            int n = send(s, data.data(), static_cast<int>(data.size()), 0);
            if (n > 0) {
                data.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
            if (!would_block(WSAGetLastError())) return false;
            if (wait_for(s, true, stopping_, Clock::now() + options_.handshake_timeout) != Wait::Ready)
                return false;
        }
        return true;
    }

    bool read_request() {
        char buf[4096];
        while (true) {
            if (wait_for(client_.get(), false, stopping_, deadline_) != Wait::Ready) return false;
            int n = recv(client_.get(), buf, static_cast<int>(sizeof buf), 0);
            if (n == 0) return false;
            if (n < 0) {
                if (would_block(WSAGetLastError())) continue;
                return false;
            }
            auto step = reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
            if (!step.reply.empty() && !send_all(client_.get(), step.reply)) return false;
            switch (step.next) {
                case RequestReader::Next::NeedMore:
                    break;
                case RequestReader::Next::Close:
                    return false;
                case RequestReader::Next::DrainClose:
                    drain_close();
                    return false;
                case RequestReader::Next::Request:
                    return true;
            }
        }
    }

    // Blocking getaddrinfo() on this connection's thread: only this client
    // waits for it. stop() waits for a lookup in flight (bounded by the
    // resolver's own timeout), as on Linux.
    bool resolve() {
        addrinfoW hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        // No AI_ADDRCONFIG: the policy, not the host config, decides families.
        std::wstring name(req_.target.name.begin(), req_.target.name.end());  // punycode: ASCII only
        addrinfoW* res = nullptr;
        int rc = GetAddrInfoW(name.c_str(), nullptr, &hints, &res);
        std::vector<IpAddr> addrs;
        if (rc == 0) {
            std::unique_ptr<addrinfoW, decltype(&FreeAddrInfoW)> owned(res, &FreeAddrInfoW);
            for (addrinfoW* ai = res; ai; ai = ai->ai_next) {
                auto a = from_socket_address(ai->ai_addr);
                if (a && std::find(addrs.begin(), addrs.end(), *a) == addrs.end()) addrs.push_back(*a);
            }
        }
        if (addrs.empty()) {
            decided_ = true;  // allowed by policy, failed in DNS
            fail(resolve_failure_reply(req_, rc != 0 ? wsa_text(rc) : "no IPv4 or IPv6 address"));
            return false;
        }
        // Observed after the lookup, per request: see local_addresses.hpp.
        auto local = local_addresses();
        if (!local) {
            decided_ = true;
            fail(resolve_failure_reply(req_, local.error().message));
            return false;
        }
        if (!check_resolved(matcher_, req_, addrs, *local)) {
            deny();
            return false;
        }
        return true;
    }

    bool connect_upstream() {
        int last_error = 0;
        bool timed_out = false;
        deadline_ = Clock::now() + options_.handshake_timeout;
        for (const IpAddr& addr : req_.candidates) {
            const SocketAddress sa = to_socket_address(addr, req_.port);
            Socket s = new_socket(sa.family);
            if (!s.valid() || !set_nonblocking(s.get())) {
                last_error = WSAGetLastError();
                continue;
            }
            set_nodelay(s.get());
            if (connect(s.get(), sa.get(), sa.length) != 0) {
                int err = WSAGetLastError();
                if (err != WSAEWOULDBLOCK) {
                    last_error = err;
                    continue;
                }
                Wait w = wait_for(s.get(), true, stopping_, deadline_);
                if (w == Wait::Stopped) return false;
                if (w == Wait::Timeout) {
                    timed_out = true;
                    break;
                }
                int so_error = 0;
                int so_len = sizeof so_error;
                if (w == Wait::Error || getsockopt(s.get(), SOL_SOCKET, SO_ERROR,
                                                   reinterpret_cast<char*>(&so_error), &so_len) != 0)
                    so_error = WSAGetLastError();
                if (so_error != 0) {
                    last_error = so_error;
                    continue;
                }
            }
            upstream_ = std::move(s);
            return true;
        }
        if (timed_out) {
            fail(timeout_reply(req_, false));
            return false;
        }
        ConnectError e = last_error == WSAECONNREFUSED  ? ConnectError::Refused
                         : last_error == WSAETIMEDOUT   ? ConnectError::TimedOut
                         : last_error == WSAENETUNREACH ? ConnectError::NetUnreachable
                                                        : ConnectError::Other;
        fail(connect_failure_reply(req_, e, wsa_text(last_error)));
        return false;
    }

    void relay() {
        if (!send_all(client_.get(), success_reply(req_.proto))) return;
        Direction up, down;
        up.src = down.dst = client_.get();
        up.dst = down.src = upstream_.get();
        if (req_.proto == Proto::Http) {
            const HttpHead& h = reader_.http_head();
            up.body = BodyFramer(h.body, h.content_length);
            if (up.body.done()) up.src_eof = true;
            // Never half-close towards an HTTP server: some treat it as abort.
            up.half_close = false;
            std::string head = rewrite_for_upstream(h);
            if (!up.src_eof && !up.queue(after_request_)) return;
            up.pending.insert(0, head);
        } else {
            up.pending = std::move(after_request_);
        }
        after_request_.clear();
        reader_ = RequestReader{};  // the head buffer (up to 32 KiB) is not needed while relaying

        while (!stopping_) {
            if ((up.finished() && down.finished()) || (req_.proto == Proto::Http && down.finished())) break;
            fd_set rd, wr;
            FD_ZERO(&rd);
            FD_ZERO(&wr);
            if (up.wants_read()) FD_SET(up.src, &rd);
            if (down.wants_read()) FD_SET(down.src, &rd);
            if (!up.idle()) FD_SET(up.dst, &wr);
            if (!down.idle()) FD_SET(down.dst, &wr);
            if (rd.fd_count == 0 && wr.fd_count == 0) break;  // e.g. HTTP: request sent, no half-close
            timeval tv{0, static_cast<long>(kPoll.count() * 1000)};
            int n = select(0, rd.fd_count ? &rd : nullptr, wr.fd_count ? &wr : nullptr, nullptr, &tv);
            if (n == SOCKET_ERROR) break;
            if (n == 0) continue;
            if (!up.pump(FD_ISSET(up.src, &rd) != 0, FD_ISSET(up.dst, &wr) != 0)) break;
            if (!down.pump(FD_ISSET(down.src, &rd) != 0, FD_ISSET(down.dst, &wr) != 0)) break;
        }
        bytes_up_ = up.bytes;
        bytes_down_ = down.bytes;
    }

    void deny() {
        decided_ = true;
        emit(false);
        send_all(client_.get(), denial_reply(req_, options_.profile_name));
        drain_close();
    }

    void fail(const std::string& reply) {
        send_all(client_.get(), reply);
        drain_close();
    }

    // Closing with unread request bytes would send RST and could destroy the
    // reply before the client reads it; finish writing, then read to EOF.
    void drain_close() {
        upstream_.reset();
        shutdown(client_.get(), SD_SEND);
        auto until = Clock::now() + kDrainTime;
        char buf[4096];
        while (wait_for(client_.get(), false, stopping_, until) == Wait::Ready) {
            int n = recv(client_.get(), buf, static_cast<int>(sizeof buf), 0);
            if (n == 0 || (n < 0 && !would_block(WSAGetLastError()))) break;
        }
    }

    void emit(bool allowed) {
        if (event_sent_) return;
        event_sent_ = true;
        if (on_event_) on_event_(net_event(req_, allowed, bytes_up_, bytes_down_));
    }

    Socket client_;
    Socket upstream_;
    const Matcher& matcher_;
    const EgressProxy::NetCallback& on_event_;
    const EgressProxyOptions& options_;
    const std::atomic<bool>& stopping_;
    Clock::time_point deadline_;
    RequestReader reader_;
    Request req_;
    std::string after_request_;
    bool decided_ = false;
    bool event_sent_ = false;
    std::uint64_t bytes_up_ = 0;
    std::uint64_t bytes_down_ = 0;
};

struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
};

}  // namespace

struct EgressProxy::Impl {
    WinsockSession wsa;  // first: outlives every socket below
    Socket listener;
    std::uint16_t port = 0;
    Matcher matcher;
    NetCallback on_event;
    EgressProxyOptions options;
    std::atomic<bool> stopping{false};
    std::thread accept_thread;

    void accept_loop();
};

void EgressProxy::Impl::accept_loop() {
    std::list<std::unique_ptr<Worker>> workers;
    auto reap = [&workers] {
        for (auto it = workers.begin(); it != workers.end();) {
            if ((*it)->done) {
                (*it)->thread.join();
                it = workers.erase(it);
            } else {
                ++it;
            }
        }
    };
    const std::size_t cap = std::min(options.max_connections, kMaxThreads);
    while (!stopping) {
        Wait w = wait_for(listener.get(), false, stopping, Clock::now() + kPoll);
        reap();
        if (w != Wait::Ready) continue;
        Socket client(accept(listener.get(), nullptr, nullptr));
        if (!client.valid()) continue;
        if (workers.size() >= cap) continue;  // closes it
        // Accepted sockets inherit the listener's attributes, but make sure:
        // a socket handle must never leak into a process mxc starts.
        SetHandleInformation(reinterpret_cast<HANDLE>(client.get()), HANDLE_FLAG_INHERIT, 0);
        if (!set_nonblocking(client.get())) continue;
        set_nodelay(client.get());
        auto worker = std::make_unique<Worker>();
        Worker* wp = worker.get();
        wp->thread = std::thread([this, wp, s = std::move(client)]() mutable {
            {
                Session session(std::move(s), matcher, on_event, options, stopping);
                session.run();
            }
            wp->done = true;
        });
        workers.push_back(std::move(worker));
    }
    for (auto& w : workers) w->thread.join();
}

Result<std::unique_ptr<EgressProxy>> EgressProxy::create_loopback(Matcher matcher, NetCallback on_event,
                                                                  EgressProxyOptions options) {
    auto impl = std::make_unique<Impl>();
    if (!impl->wsa.ok()) return make_error("egress proxy: WSAStartup: " + wsa_text(WSAGetLastError()));
    impl->listener = new_socket(AF_INET);
    if (!impl->listener.valid()) return make_error("egress proxy: socket: " + wsa_text(WSAGetLastError()));
    // Exclusive: without it another local process could bind the same port
    // with SO_REUSEADDR and receive the sandbox's proxy connections.
    BOOL one = TRUE;
    if (setsockopt(impl->listener.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&one),
                   sizeof one) != 0)
        return make_error("egress proxy: SO_EXCLUSIVEADDRUSE: " + wsa_text(WSAGetLastError()));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    if (bind(impl->listener.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) != 0)
        return make_error("egress proxy: bind 127.0.0.1: " + wsa_text(WSAGetLastError()));
    if (listen(impl->listener.get(), SOMAXCONN) != 0)
        return make_error("egress proxy: listen: " + wsa_text(WSAGetLastError()));
    int len = sizeof sin;
    if (getsockname(impl->listener.get(), reinterpret_cast<sockaddr*>(&sin), &len) != 0)
        return make_error("egress proxy: getsockname: " + wsa_text(WSAGetLastError()));
    if (!set_nonblocking(impl->listener.get()))
        return make_error("egress proxy: listener: " + wsa_text(WSAGetLastError()));
    impl->port = ntohs(sin.sin_port);
    impl->matcher = std::move(matcher);
    impl->on_event = std::move(on_event);
    impl->options = std::move(options);
    return std::unique_ptr<EgressProxy>(new EgressProxy(std::move(impl)));
}

EgressProxy::EgressProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EgressProxy::~EgressProxy() {
    stop();
}

std::uint16_t EgressProxy::port() const {
    return impl_->port;
}

Status EgressProxy::start() {
    Impl& p = *impl_;
    if (p.accept_thread.joinable()) return make_error("egress proxy: already started");
    p.stopping = false;
    p.accept_thread = std::thread([&p] { p.accept_loop(); });
    return {};
}

void EgressProxy::stop() {
    Impl& p = *impl_;
    if (!p.accept_thread.joinable()) return;
    p.stopping = true;
    p.accept_thread.join();
}

}  // namespace mxc::net
