#include "net/proxy_session.hpp"

#include <optional>

namespace mxc::net::proxy_detail {

const char* proto_name(Proto p) {
    switch (p) {
        case Proto::Connect:
            return "connect";
        case Proto::Http:
            return "http";
        case Proto::Socks5:
            return "socks5";
        case Proto::Unknown:
            break;
    }
    return "unknown";
}

RequestReader::Step RequestReader::feed(std::string_view data) {
    Step step;
    if (data.empty() || phase_ == Phase::Done) return step;
    if (phase_ == Phase::Detect) {
        if (data[0] == socks5::kVersion) {
            phase_ = Phase::SocksGreeting;
            proto_ = Proto::Socks5;
        } else if (data[0] >= 'A' && data[0] <= 'Z') {
            phase_ = Phase::Http;
        } else {
            step.next = Next::Close;
            return step;
        }
    }
    if (phase_ == Phase::Http) {
        auto state = http_.feed(data);
        if (state == HttpHeadParser::State::Error) {
            step.reply = bad_request_reply(http_.error());
            step.next = Next::DrainClose;
        } else if (state == HttpHeadParser::State::Done) {
            const HttpHead& h = http_.head();
            proto_ = h.form == HttpHead::Form::Connect ? Proto::Connect : Proto::Http;
            host_ = h.host;
            port_ = h.port;
            after_ = std::string(http_.after_head());
            phase_ = Phase::Done;
            step.next = Next::Request;
        }
        return step;
    }
    if (socks_buf_.size() + data.size() > kMaxSocksHandshake) {
        step.next = Next::Close;
        return step;
    }
    socks_buf_.append(data);
    return socks(std::move(step));
}

RequestReader::Step RequestReader::socks(Step step) {
    if (phase_ == Phase::SocksGreeting) {
        auto g = socks5::parse_greeting(socks_buf_);
        if (g.status == socks5::Status::NeedMore) return step;
        if (g.status == socks5::Status::Error) {
            step.next = Next::Close;
            return step;
        }
        auto reply = socks5::method_reply(g.no_auth_offered);
        step.reply.append(reply.data(), reply.size());
        if (!g.no_auth_offered) {
            step.next = Next::DrainClose;
            return step;
        }
        socks_buf_.erase(0, g.consumed);
        phase_ = Phase::SocksRequest;
    }
    auto r = socks5::parse_request(socks_buf_);
    if (r.status == socks5::Status::NeedMore) return step;
    if (r.status == socks5::Status::Error) {
        auto reply = socks5::reply(r.error);
        step.reply.append(reply.data(), reply.size());
        step.next = Next::DrainClose;
        return step;
    }
    host_ = std::move(r.host);
    port_ = r.port;
    after_ = socks_buf_.substr(r.consumed);
    socks_buf_.clear();
    phase_ = Phase::Done;
    step.next = Next::Request;
    return step;
}

std::string Request::what() const {
    return (decision.why == Decision::Why::BadHost ? raw_host : target.text()) + ":" + std::to_string(port);
}

bool decide_request(const Matcher& matcher, Request& r) {
    auto target = normalize_host(r.raw_host);
    if (!target) {
        r.decision = Decision{false, Decision::Why::BadHost, "", target.error().message};
        return false;
    }
    r.target = std::move(target).value();
    r.decision = matcher.decide(r.target, r.port);
    if (!r.decision.allowed) return false;
    if (r.target.is_ip) r.candidates = {r.target.ip};
    return true;
}

bool check_resolved(const Matcher& matcher, Request& r, const std::vector<IpAddr>& addrs,
                    const std::vector<IpAddr>& local) {
    std::optional<Decision> refused;
    for (const IpAddr& addr : addrs) {
        Decision d = matcher.check_address(r.target, addr, r.port, local);
        if (d.allowed) {
            r.candidates.push_back(addr);
            continue;
        }
        if (d.why == Decision::Why::DeniedByRule) {
            r.candidates.clear();
            r.decision = d;
            return false;
        }
        if (!refused) refused = d;
    }
    if (r.candidates.empty()) {
        r.decision = refused.value_or(Decision{});
        return false;
    }
    return true;
}

std::string denial_reply(const Request& r, const std::string& profile_name) {
    const Decision& d = r.decision;
    if (r.proto == Proto::Socks5) {
        auto reply = socks5::reply(socks5::kNotAllowed);
        return std::string(reply.data(), reply.size());
    }
    std::string msg;
    switch (d.why) {
        case Decision::Why::NoRule:
            msg = "mxc: " + r.what() + " is not allowed by profile \"" + profile_name + "\"; add \"" +
                  suggest_rule(r.target, r.port) + "\" to [network].allow\n";
            break;
        case Decision::Why::DeniedByRule:
        case Decision::Why::SensitiveAddress:
            msg = "mxc: " + r.what() + " is not allowed by profile \"" + profile_name + "\": " + d.detail +
                  "\n";
            break;
        case Decision::Why::BadHost:
            msg = "mxc: invalid host in request: " + d.detail + "\n";
            break;
        case Decision::Why::Allowed:
            break;
    }
    return http_response(403, "Forbidden", msg);
}

std::string failure_reply(Proto proto, int http_status, std::string_view reason, socks5::Reply code,
                          const std::string& message) {
    if (proto == Proto::Socks5) {
        auto reply = socks5::reply(code);
        return std::string(reply.data(), reply.size());
    }
    return http_response(http_status, reason, message);
}

std::string bad_request_reply(const HttpError& e) {
    return http_response(e.status,
                         e.status == 431   ? "Request Header Fields Too Large"
                         : e.status == 501 ? "Not Implemented"
                         : e.status == 505 ? "HTTP Version Not Supported"
                                           : "Bad Request",
                         "mxc: " + e.reason + "\n");
}

std::string connect_error_text(ConnectError e, const std::string& detail) {
    switch (e) {
        case ConnectError::Refused:
            return "connection refused";
        case ConnectError::TimedOut:
            return "timed out";
        case ConnectError::NetUnreachable:
            return "network unreachable";
        case ConnectError::Other:
            break;
    }
    return "cannot connect: " + detail;
}

std::string connect_failure_reply(Request& r, ConnectError e, const std::string& detail) {
    const std::string what = r.what();
    r.error = connect_error_text(e, detail);
    switch (e) {
        case ConnectError::Refused:
            return failure_reply(r.proto, 502, "Bad Gateway", socks5::kConnectionRefused,
                                 "mxc: connection to " + what + " refused\n");
        case ConnectError::TimedOut:
            return failure_reply(r.proto, 504, "Gateway Timeout", socks5::kHostUnreachable,
                                 "mxc: connection to " + what + " timed out\n");
        case ConnectError::NetUnreachable:
            return failure_reply(r.proto, 502, "Bad Gateway", socks5::kNetworkUnreachable,
                                 "mxc: network unreachable for " + what + "\n");
        case ConnectError::Other:
            break;
    }
    return failure_reply(r.proto, 502, "Bad Gateway", socks5::kHostUnreachable,
                         "mxc: cannot connect to " + what + ": " + detail + "\n");
}

std::string resolve_failure_reply(Request& r, const std::string& error) {
    r.error = "cannot resolve: " + error;
    return failure_reply(r.proto, 502, "Bad Gateway", socks5::kHostUnreachable,
                         "mxc: cannot resolve " + r.target.name + ": " + error + "\n");
}

std::string timeout_reply(Request& r, bool resolving) {
    r.error = resolving ? "resolving timed out" : "timed out";
    return failure_reply(r.proto, 504, "Gateway Timeout", socks5::kHostUnreachable,
                         resolving ? "mxc: resolving " + r.what() + " timed out\n"
                                   : "mxc: connection to " + r.what() + " timed out\n");
}

std::string success_reply(Proto proto) {
    if (proto == Proto::Connect) return "HTTP/1.1 200 Connection established\r\n\r\n";
    if (proto == Proto::Socks5) {
        auto reply = socks5::reply(socks5::kSucceeded);
        return std::string(reply.data(), reply.size());
    }
    return {};
}

audit::NetEvent net_event(const Request& r, bool allowed, std::uint64_t bytes_up, std::uint64_t bytes_down) {
    audit::NetEvent e;
    e.allowed = allowed;
    e.host = r.decision.why == Decision::Why::BadHost ? r.raw_host : r.target.text();
    e.port = r.port;
    e.proto = proto_name(r.proto);
    e.rule = r.decision.rule;
    e.bytes_up = bytes_up;
    e.bytes_down = bytes_down;
    e.via = "proxy";
    // Only an allowed request can have failed upstream; a denial says why.
    if (allowed)
        e.error = r.error;
    else
        e.reason = denial_reason(r.decision);
    return e;
}

}  // namespace mxc::net::proxy_detail
