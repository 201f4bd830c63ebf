// One proxied connection, from the first request byte to the relay:
// detect the protocol, parse, decide, resolve (off-thread), check every
// address, connect to a checked one, reply, then relay; or refuse with a
// reply that says which rule to add.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "net/egress_proxy_impl_linux.hpp"

namespace mxc::net {

using namespace proxy_detail;

void EgressProxy::Impl::handshake(Conn& c) {
    char buf[4096];
    while (!c.closed && (c.phase == Phase::Detect || c.phase == Phase::Http ||
                         c.phase == Phase::SocksGreeting || c.phase == Phase::SocksRequest)) {
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
        std::string_view data(buf, static_cast<std::size_t>(n));
        if (c.phase == Phase::Detect) {
            // The first byte tells the protocols apart: SOCKS5 starts with its
            // version (5), HTTP with an uppercase method letter.
            if (data[0] == socks5::kVersion) {
                c.phase = Phase::SocksGreeting;
                c.proto = Proto::Socks5;
            } else if (data[0] >= 'A' && data[0] <= 'Z') {
                c.phase = Phase::Http;
            } else {
                return close_conn(c);
            }
        }
        if (c.phase == Phase::Http) {
            auto state = c.http.feed(data);
            if (state == HttpHeadParser::State::Error) {
                const HttpError& e = c.http.error();
                send_all_now(c.client.get(), http_response(e.status,
                                                           e.status == 431 ? "Request Header Fields Too Large"
                                                           : e.status == 501 ? "Not Implemented"
                                                           : e.status == 505 ? "HTTP Version Not Supported"
                                                                             : "Bad Request",
                                                           "mxc: " + e.reason + "\n"));
                return drain_close(c);
            }
            if (state == HttpHeadParser::State::Done) return on_http_head(c);
        } else {
            if (c.inbuf.size() + data.size() > kMaxSocksHandshake) return close_conn(c);
            c.inbuf.append(data);
            on_socks_bytes(c);
        }
    }
}

void EgressProxy::Impl::on_http_head(Conn& c) {
    const HttpHead& h = c.http.head();
    Proto proto = h.form == HttpHead::Form::Connect ? Proto::Connect : Proto::Http;
    c.prefix_up = std::string(c.http.after_head());
    begin_request(c, proto, h.host, h.port);
}

void EgressProxy::Impl::on_socks_bytes(Conn& c) {
    if (c.phase == Phase::SocksGreeting) {
        auto g = socks5::parse_greeting(c.inbuf);
        if (g.status == socks5::Status::NeedMore) return;
        if (g.status == socks5::Status::Error) return close_conn(c);
        auto reply = socks5::method_reply(g.no_auth_offered);
        if (!send_all_now(c.client.get(), std::string_view(reply.data(), reply.size()))) return close_conn(c);
        if (!g.no_auth_offered) return drain_close(c);
        c.inbuf.erase(0, g.consumed);
        c.phase = Phase::SocksRequest;
    }
    auto r = socks5::parse_request(c.inbuf);
    if (r.status == socks5::Status::NeedMore) return;
    if (r.status == socks5::Status::Error) {
        auto reply = socks5::reply(r.error);
        send_all_now(c.client.get(), std::string_view(reply.data(), reply.size()));
        return drain_close(c);
    }
    c.prefix_up = c.inbuf.substr(r.consumed);
    c.inbuf.clear();
    begin_request(c, Proto::Socks5, std::move(r.host), r.port);
}

void EgressProxy::Impl::begin_request(Conn& c, Proto proto, std::string host, std::uint16_t port) {
    c.proto = proto;
    c.raw_host = std::move(host);
    c.port = port;
    auto target = normalize_host(c.raw_host);
    if (!target) {
        c.decision = Decision{false, Decision::Why::BadHost, "", target.error().message};
        return deny(c);
    }
    c.target = std::move(target).value();
    c.decision = matcher.decide(c.target, port);
    if (!c.decision.allowed) return deny(c);
    if (c.target.is_ip) {
        c.candidates = {c.target.ip};
        c.phase = Phase::Connecting;
        return connect_next(c);
    }
    c.phase = Phase::Resolving;
    resolver->submit(c.id, c.target.name);
}

void EgressProxy::Impl::on_resolved(Resolver::Answer& a) {
    auto it = conns.find(a.id);
    if (it == conns.end() || it->second->closed || it->second->phase != Phase::Resolving) return;
    Conn& c = *it->second;
    if (a.addrs.empty()) {
        c.decided = true;  // allowed by policy, failed in DNS
        return fail(c, 502, "Bad Gateway", socks5::kHostUnreachable,
                    "mxc: cannot resolve " + c.target.name + ": " + a.error + "\n");
    }
    // Every address is checked. One that a deny rule covers refuses the
    // whole name; sensitive ones (loopback, metadata) are skipped, and only
    // if nothing else is left does the name fail.
    std::optional<Decision> refused;
    for (const IpAddr& addr : a.addrs) {
        Decision d = matcher.check_address(c.target, addr, c.port);
        if (d.allowed) {
            c.candidates.push_back(addr);
            continue;
        }
        if (d.why == Decision::Why::DeniedByRule) {
            c.decision = d;
            return deny(c);
        }
        if (!refused) refused = d;
    }
    if (c.candidates.empty()) {
        c.decision = refused.value_or(Decision{});
        return deny(c);
    }
    c.phase = Phase::Connecting;
    connect_next(c);
}

void EgressProxy::Impl::connect_next(Conn& c) {
    c.decided = true;
    while (c.next_candidate < c.candidates.size()) {
        const IpAddr& addr = c.candidates[c.next_candidate];
        sockaddr_storage ss{};
        socklen_t len;
        int family;
        if (addr.is_v4()) {
            auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
            sin->sin_family = AF_INET;
            sin->sin_port = htons(c.port);
            sin->sin_addr.s_addr = htonl(addr.v4());
            len = sizeof(sockaddr_in);
            family = AF_INET;
        } else {
            auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons(c.port);
            std::memcpy(&sin6->sin6_addr, addr.bytes.data(), 16);
            len = sizeof(sockaddr_in6);
            family = AF_INET6;
        }
        UniqueFd s(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!s.valid()) {
            c.last_errno = errno;
            ++c.next_candidate;
            continue;
        }
        set_nodelay(s.get());
        int rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len);
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
    int err = c.last_errno;
    std::string what = c.target.text() + ":" + std::to_string(c.port);
    if (err == ECONNREFUSED)
        return fail(c, 502, "Bad Gateway", socks5::kConnectionRefused,
                    "mxc: connection to " + what + " refused\n");
    if (err == ETIMEDOUT)
        return fail(c, 504, "Gateway Timeout", socks5::kHostUnreachable,
                    "mxc: connection to " + what + " timed out\n");
    if (err == ENETUNREACH)
        return fail(c, 502, "Bad Gateway", socks5::kNetworkUnreachable,
                    "mxc: network unreachable for " + what + "\n");
    return fail(c, 502, "Bad Gateway", socks5::kHostUnreachable,
                "mxc: cannot connect to " + what + ": " + std::strerror(err) + "\n");
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
    if (c.proto == Proto::Connect) {
        if (!send_all_now(c.client.get(), "HTTP/1.1 200 Connection established\r\n\r\n"))
            return close_conn(c);
    } else if (c.proto == Proto::Socks5) {
        auto reply = socks5::reply(socks5::kSucceeded);
        if (!send_all_now(c.client.get(), std::string_view(reply.data(), reply.size()))) return close_conn(c);
    }
    c.up.init(c.client.get(), c.upstream.get(), &c.cep.ready, &c.uep.ready);
    c.down.init(c.upstream.get(), c.client.get(), &c.uep.ready, &c.cep.ready);
    if (c.proto == Proto::Http) {
        const HttpHead& h = c.http.head();
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
    c.http = HttpHeadParser{};  // the head buffer (up to 32 KiB) is not needed while relaying
    relay(c);
}

void EgressProxy::Impl::relay(Conn& c) {
    if (c.up.pump() == Direction::Pump::Error || c.down.pump() == Direction::Pump::Error)
        return close_conn(c);
    // Forwarding both ways may have made room for the other direction.
    if (c.up.pump() == Direction::Pump::Error) return close_conn(c);
    bool http_done = c.proto == Proto::Http && c.down.finished();
    if ((c.up.finished() && c.down.finished()) || http_done) close_conn(c);
}

void EgressProxy::Impl::deny(Conn& c) {
    c.decided = true;
    emit(c, false);
    const Decision& d = c.decision;
    std::string what = (c.decision.why == Decision::Why::BadHost ? c.raw_host : c.target.text()) + ":" +
                       std::to_string(c.port);
    std::string msg;
    switch (d.why) {
        case Decision::Why::NoRule:
            msg = "mxc: " + what + " is not allowed by profile \"" + options.profile_name + "\"; add \"" +
                  suggest_rule(c.target, c.port) + "\" to [network].allow\n";
            break;
        case Decision::Why::DeniedByRule:
        case Decision::Why::SensitiveAddress:
            msg = "mxc: " + what + " is not allowed by profile \"" + options.profile_name +
                  "\": " + d.detail + "\n";
            break;
        case Decision::Why::BadHost:
            msg = "mxc: invalid host in request: " + d.detail + "\n";
            break;
        case Decision::Why::Allowed:
            break;
    }
    if (c.proto == Proto::Socks5) {
        auto reply = socks5::reply(socks5::kNotAllowed);
        send_all_now(c.client.get(), std::string_view(reply.data(), reply.size()));
    } else {
        send_all_now(c.client.get(), http_response(403, "Forbidden", msg));
    }
    drain_close(c);
}

void EgressProxy::Impl::fail(Conn& c, int http_status, const char* reason, socks5::Reply code,
                             const std::string& message) {
    if (c.proto == Proto::Socks5) {
        auto reply = socks5::reply(code);
        send_all_now(c.client.get(), std::string_view(reply.data(), reply.size()));
    } else {
        send_all_now(c.client.get(), http_response(http_status, reason, message));
    }
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
    if (!on_event) return;
    audit::NetEvent e;
    e.allowed = allowed;
    e.host = c.decision.why == Decision::Why::BadHost ? c.raw_host : c.target.text();
    e.port = c.port;
    e.proto = proto_name(c.proto);
    e.rule = c.decision.rule;
    e.bytes_up = c.up.bytes();
    e.bytes_down = c.down.bytes();
    on_event(e);
}

}  // namespace mxc::net
