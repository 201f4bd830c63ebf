// One proxied connection on the epoll loop, from the first request byte to
// the relay: read the request, decide, resolve (off-thread), check every
// address, connect to a checked one, reply, then relay; or refuse with a
// reply that says which rule to add. What to decide and what to answer is
// portable (proxy_session.hpp); this file does the non-blocking I/O.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/egress_proxy_impl_linux.hpp"
#include "net/socket_address.hpp"

namespace mxc::net {

using namespace proxy_detail;

void EgressProxy::Impl::handshake(Conn& c) {
    char buf[4096];
    while (!c.closed && c.phase == Phase::Handshake) {
        ssize_t n = ::recv(c.client.get(), buf, sizeof buf, 0);
        if (n == 0) return close_conn(c);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                c.cep.ready.readable = false;
                return;
            }
            return close_conn(c);
        }
        auto step = c.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        if (!step.reply.empty() && !send_all_now(c.client.get(), step.reply)) return close_conn(c);
        switch (step.next) {
            case RequestReader::Next::NeedMore:
                break;
            case RequestReader::Next::Close:
                return close_conn(c);
            case RequestReader::Next::DrainClose:
                return drain_close(c);
            case RequestReader::Next::Request:
                return begin_request(c);
        }
    }
}

void EgressProxy::Impl::begin_request(Conn& c) {
    c.req.proto = c.reader.proto();
    c.req.raw_host = c.reader.host();
    c.req.port = c.reader.port();
    c.prefix_up = c.reader.take_after_request();
    if (!decide_request(matcher, c.req)) return deny(c);
    if (c.req.target.is_ip) {
        c.phase = Phase::Connecting;
        return connect_next(c);
    }
    c.phase = Phase::Resolving;
    resolver->submit(c.id, c.req.target.name);
}

void EgressProxy::Impl::on_resolved(Resolver::Answer& a) {
    auto it = conns.find(a.id);
    if (it == conns.end() || it->second->closed || it->second->phase != Phase::Resolving) return;
    Conn& c = *it->second;
    if (a.addrs.empty()) {
        c.decided = true;  // allowed by policy, failed in DNS
        return fail(c, resolve_failure_reply(c.req, a.error));
    }
    if (!check_resolved(matcher, c.req, a.addrs, a.local)) return deny(c);
    c.phase = Phase::Connecting;
    connect_next(c);
}

void EgressProxy::Impl::connect_next(Conn& c) {
    c.decided = true;
    while (c.next_candidate < c.req.candidates.size()) {
        const IpAddr& addr = c.req.candidates[c.next_candidate];
        const SocketAddress sa = to_socket_address(addr, c.req.port);
        UniqueFd s(::socket(sa.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!s.valid()) {
            c.last_errno = errno;
            ++c.next_candidate;
            continue;
        }
        set_nodelay(s.get());
        int rc = ::connect(s.get(), sa.get(), static_cast<socklen_t>(sa.length));
        if (rc != 0 && errno != EINPROGRESS) {
            c.last_errno = errno;
            ++c.next_candidate;
            continue;
        }
        c.upstream = std::move(s);
        c.uep.ready = Readiness{};
        if (!watch(c.upstream.get(), &c.uep)) {
            c.last_errno = errno;
            c.upstream.reset();
            ++c.next_candidate;
            continue;
        }
        c.deadline = Clock::now() + options.handshake_timeout;
        return;  // completion arrives as EPOLLOUT
    }
    const int err = c.last_errno;
    return fail(c, connect_failure_reply(c.req, connect_error_of(err), std::strerror(err)));
}

void EgressProxy::Impl::finish_connect(Conn& c) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(c.upstream.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return start_relay(c);
    c.last_errno = err;
    unwatch(c.upstream);
    ++c.next_candidate;
    connect_next(c);
}

void EgressProxy::Impl::start_relay(Conn& c) {
    c.phase = Phase::Relay;
    if (auto reply = success_reply(c.req.proto); !reply.empty() && !send_all_now(c.client.get(), reply))
        return close_conn(c);
    c.up.init(c.client.get(), c.upstream.get(), &c.cep.ready, &c.uep.ready);
    c.down.init(c.upstream.get(), c.client.get(), &c.uep.ready, &c.cep.ready);
    if (c.req.proto == Proto::Http) {
        const HttpHead& h = c.reader.http_head();
        c.up.set_prefix(rewrite_for_upstream(h));
        c.up.set_body_limit(h.body, h.content_length);
        // Never half-close towards an HTTP server: some treat it as abort.
        c.up.set_half_close(false);
        if (!c.up.add_body_bytes(c.prefix_up)) return close_conn(c);
    } else {
        c.up.set_prefix(std::move(c.prefix_up));
    }
    c.prefix_up.clear();
    c.prefix_up.shrink_to_fit();
    c.reader = RequestReader{};  // the head buffer (up to 32 KiB) is not needed while relaying
    relay(c);
}

void EgressProxy::Impl::relay(Conn& c) {
    if (c.up.pump() == Direction::Pump::Error || c.down.pump() == Direction::Pump::Error)
        return close_conn(c);
    // Forwarding both ways may have made room for the other direction.
    if (c.up.pump() == Direction::Pump::Error) return close_conn(c);
    bool http_done = c.req.proto == Proto::Http && c.down.finished();
    if ((c.up.finished() && c.down.finished()) || http_done) close_conn(c);
}

void EgressProxy::Impl::deny(Conn& c) {
    c.decided = true;
    emit(c, false);
    send_all_now(c.client.get(), denial_reply(c.req, options.profile_name));
    drain_close(c);
}

void EgressProxy::Impl::fail(Conn& c, const std::string& reply) {
    send_all_now(c.client.get(), reply);
    drain_close(c);
}

void EgressProxy::Impl::drain_close(Conn& c) {
    // Closing with unread request bytes would send RST and could destroy the
    // reply before the client reads it; finish writing, then read to EOF.
    unwatch(c.upstream);
    ::shutdown(c.client.get(), SHUT_WR);
    c.phase = Phase::Draining;
    c.deadline = Clock::now() + kDrainTime;
    c.cep.ready.readable = true;
    drain(c);
}

void EgressProxy::Impl::drain(Conn& c) {
    char buf[4096];
    while (true) {
        ssize_t n = ::recv(c.client.get(), buf, sizeof buf, 0);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c.cep.ready.readable = false;
            return;
        }
        return close_conn(c);
    }
}

void EgressProxy::Impl::emit(Conn& c, bool allowed) {
    if (c.event_sent) return;
    c.event_sent = true;
    if (on_event) on_event(net_event(c.req, allowed, c.up.bytes(), c.down.bytes()));
}

namespace proxy_detail {

ConnectError connect_error_of(int err) {
    return err == ECONNREFUSED  ? ConnectError::Refused
           : err == ETIMEDOUT   ? ConnectError::TimedOut
           : err == ENETUNREACH ? ConnectError::NetUnreachable
                                : ConnectError::Other;
}

}  // namespace proxy_detail

}  // namespace mxc::net
