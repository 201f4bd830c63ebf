#pragma once
// The portable half of one proxied connection, shared by the Linux proxy
// (epoll, proxy_session_linux.cpp) and the Windows one (a thread per
// connection, egress_proxy_windows.cpp): telling the protocols apart and
// reading the request, the decision on the requested host and on every
// address it resolved to, and the exact bytes of every reply (403 and the
// SOCKS5 codes, gateway errors, success) and of the audit event. The OS files
// only make sockets and move bytes, so both platforms answer alike.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.hpp"
#include "net/http_parser.hpp"
#include "net/matcher.hpp"
#include "net/socks5.hpp"

namespace mxc::net::proxy_detail {

enum class Proto { Unknown, Connect, Http, Socks5 };
const char* proto_name(Proto p);  // the audit "proto": connect | http | socks5

inline constexpr std::size_t kMaxSocksHandshake = 1024;  // greeting (<= 257) + request (<= 262)

// Reads a client's request from the bytes it sends: the first byte tells the
// protocols apart (SOCKS5 starts with its version, HTTP with an uppercase
// method letter), then the HTTP head or the SOCKS5 greeting and request.
class RequestReader {
public:
    enum class Next {
        NeedMore,    // feed more bytes
        Close,       // close at once (garbage, oversized handshake)
        DrainClose,  // send `reply`, then read the client to EOF and close
        Request,     // send `reply` (if any); the request is ready
    };
    struct Step {
        std::string reply;  // bytes for the client, sent before acting on `next`
        Next next = Next::NeedMore;
    };
    Step feed(std::string_view data);

    // Valid after Next::Request.
    [[nodiscard]] Proto proto() const { return proto_; }
    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    // Bytes that came after the request: they belong upstream (for
    // absolute-form HTTP, to the body).
    [[nodiscard]] std::string take_after_request() { return std::move(after_); }
    [[nodiscard]] const HttpHead& http_head() const { return http_.head(); }

private:
    enum class Phase { Detect, Http, SocksGreeting, SocksRequest, Done };
    Step socks(Step step);
    Phase phase_ = Phase::Detect;
    Proto proto_ = Proto::Unknown;
    HttpHeadParser http_;
    std::string socks_buf_;
    std::string host_;
    std::uint16_t port_ = 0;
    std::string after_;
};

// One request as it is decided.
struct Request {
    Proto proto = Proto::Unknown;
    std::string raw_host;  // as requested, for messages when it does not parse
    std::uint16_t port = 0;
    Target target;
    Decision decision;
    std::vector<IpAddr> candidates;  // checked addresses, in the order to try them
    // Allowed, but resolving or connecting failed: why, for the audit event
    // (NetEvent::error). Set by the *_failure_reply / timeout_reply calls.
    std::string error;

    [[nodiscard]] std::string what() const;  // "host:port" for messages
};

// Normalises raw_host and decides it. True when allowed: an IP target then
// has its one candidate, a name needs resolving and check_resolved(). False:
// `decision` says why; answer with denial_reply().
bool decide_request(const Matcher& matcher, Request& r);

// Every resolved address is checked. One that a deny rule covers refuses the
// whole name; sensitive ones (loopback, metadata, `local`: this host's own
// interface addresses, observed right after the lookup) are skipped, and only
// if nothing else is left does the name fail. True: `candidates` holds the
// addresses that passed. False: `decision` says why.
bool check_resolved(const Matcher& matcher, Request& r, const std::vector<IpAddr>& addrs,
                    const std::vector<IpAddr>& local);

// 403 naming the rule to add (HTTP), or SOCKS5 "not allowed by ruleset".
std::string denial_reply(const Request& r, const std::string& profile_name);
// An error reply: HTTP status + text body, or the SOCKS5 code.
std::string failure_reply(Proto proto, int http_status, std::string_view reason, socks5::Reply code,
                          const std::string& message);
// The reply for an HTTP head the parser rejected.
std::string bad_request_reply(const HttpError& e);

enum class ConnectError { Refused, TimedOut, NetUnreachable, Other };
// The audit `error` of a connection that was allowed but failed upstream, the
// same words for the proxy and the connect broker; `detail` is the OS's text
// for Other.
std::string connect_error_text(ConnectError e, const std::string& detail);
#ifndef _WIN32
// An errno of connect() or SO_ERROR, sorted (proxy_session_linux.cpp).
ConnectError connect_error_of(int err);
#endif
// The replies for an allowed request whose upstream failed. Each also records
// the failure in `r.error`, so that the audit event says the connection
// failed and why instead of showing an allowed connection with 0 bytes.
// After every candidate failed; `detail` is the OS's text for Other.
std::string connect_failure_reply(Request& r, ConnectError e, const std::string& detail);
std::string resolve_failure_reply(Request& r, const std::string& error);
std::string timeout_reply(Request& r, bool resolving);
// "200 Connection established" for CONNECT, the SOCKS5 success reply, or ""
// for absolute-form HTTP (the upstream server answers).
std::string success_reply(Proto proto);

audit::NetEvent net_event(const Request& r, bool allowed, std::uint64_t bytes_up, std::uint64_t bytes_down);

}  // namespace mxc::net::proxy_detail
