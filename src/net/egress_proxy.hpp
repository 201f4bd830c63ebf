#pragma once
// The egress proxy (Linux): one thread, one epoll loop, serving HTTP CONNECT,
// absolute-form HTTP and SOCKS5 on a listening socket that the sandbox
// created inside its network namespace. Every request is decided by a
// Matcher; names are resolved here (never by the client) and the address that
// passed the check is the one connected to, so DNS cannot change the answer
// between check and use. Each connection produces one audit NetEvent.
//
// Protocol is told apart by the first byte (5 = SOCKS5, else HTTP). An
// absolute-form HTTP request is forwarded alone: its body is framed by the
// parsed Content-Length / chunked encoding, anything the client sends after
// it is never read, and the upstream connection carries that one request
// ("Connection: close"), so a pipelined request cannot reach an unchecked
// host. Payload moves with splice() once a direction has carried 256 KiB;
// memory per connection is bounded (two pipes plus one 64 KiB chunk each way).
// getaddrinfo() runs on resolver threads; stop() waits for a lookup already
// in flight (bounded by the resolver's own timeout).
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
    int resolver_threads = 4;  // getaddrinfo() blocks, so it runs off the event loop
};

class EgressProxy {
public:
    using NetCallback = std::function<void(const audit::NetEvent&)>;

    // Takes ownership of `listen_fd` (a listening TCP socket). The callback is
    // called on the proxy thread, once per connection: at denial, or at close
    // with the byte counts.
    static Result<std::unique_ptr<EgressProxy>> create(int listen_fd, Matcher matcher, NetCallback on_event,
                                                       EgressProxyOptions options = {});
    ~EgressProxy();  // stop()s
    EgressProxy(const EgressProxy&) = delete;
    EgressProxy& operator=(const EgressProxy&) = delete;

    // Starts the proxy thread (and the resolver threads).
    Status start();
    // Closes every connection and joins the threads. Idempotent.
    void stop();

    struct Impl;

private:
    explicit EgressProxy(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mxc::net
