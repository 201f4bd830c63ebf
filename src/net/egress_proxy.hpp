#pragma once
// The egress proxy: serves HTTP CONNECT, absolute-form HTTP and SOCKS5 on a
// loopback listener. Every request is decided by a Matcher; names are
// resolved here (never by the client) and the address that passed the check
// is the one connected to, so DNS cannot change the answer between check and
// use. Each connection produces one audit NetEvent. What is decided and what
// is answered is shared by both platforms (proxy_session.hpp).
//
// Protocol is told apart by the first byte (5 = SOCKS5, else HTTP). An
// absolute-form HTTP request is forwarded alone: its body is framed by the
// parsed Content-Length / chunked encoding, anything the client sends after
// it is never read, and the upstream connection carries that one request
// ("Connection: close"), so a pipelined request cannot reach an unchecked
// host.
//
// Linux: one thread, one epoll loop, on a listening socket that the sandbox
// created inside its network namespace. Payload moves with splice() once a
// direction has carried 256 KiB; memory per connection is bounded (two pipes
// plus one 64 KiB chunk each way). getaddrinfo() runs on resolver threads;
// stop() waits for a lookup already in flight (bounded by the resolver's own
// timeout).
//
// Windows: the sandbox shares the host's loopback, so the proxy binds
// 127.0.0.1 on an ephemeral port itself (create_loopback). An accept thread
// and one thread per connection (see egress_proxy_windows.cpp for why), each
// relaying through a bounded buffer per direction; getaddrinfo() runs on the
// connection's thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "audit/audit_log.hpp"
#include "common/result.hpp"
#include "net/matcher.hpp"

namespace mxc::net {

struct EgressProxyOptions {
    std::string profile_name = "default";                // named in denial messages
    std::chrono::milliseconds handshake_timeout{30000};  // request + resolve + connect
    std::size_t max_connections = 8192;                  // beyond this, new clients are closed at once
    int resolver_threads = 4;  // Linux: getaddrinfo() blocks, so it runs off the event loop
};

class EgressProxy {
public:
    using NetCallback = std::function<void(const audit::NetEvent&)>;

    // The callback is called once per connection: at denial, or at close
    // with the byte counts. Linux calls it on the proxy thread; Windows on
    // the connection's thread, so it must be thread-safe there
    // (AuditLog::net is).
#ifdef _WIN32
    // Listens on 127.0.0.1, port chosen by the OS; see port().
    static Result<std::unique_ptr<EgressProxy>> create_loopback(Matcher matcher, NetCallback on_event,
                                                                EgressProxyOptions options = {});
    [[nodiscard]] std::uint16_t port() const;
#else
    // Takes ownership of `listen_fd` (a listening TCP socket).
    static Result<std::unique_ptr<EgressProxy>> create(int listen_fd, Matcher matcher, NetCallback on_event,
                                                       EgressProxyOptions options = {});
#endif
    ~EgressProxy();  // stop()s
    EgressProxy(const EgressProxy&) = delete;
    EgressProxy& operator=(const EgressProxy&) = delete;

    // Starts the proxy thread (Linux: and the resolver threads; Windows: the
    // accept thread).
    Status start();
    // Closes every connection and joins the threads. Idempotent.
    void stop();

    struct Impl;

private:
    explicit EgressProxy(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mxc::net
