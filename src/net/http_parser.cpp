#include "net/http_parser.hpp"

#include <algorithm>

namespace mxc::net {
namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool parse_port(std::string_view s, std::uint16_t& out) {
    if (s.empty() || s.size() > 5) return false;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

// "host:port", "[v6]:port" or (when default_port != 0) without the port.
bool split_authority(std::string_view auth, std::uint16_t default_port, std::string& host,
                     std::uint16_t& port) {
    if (auth.empty()) return false;
    std::string_view h, p;
    bool has_port = false;
    if (auth.front() == '[') {
        std::size_t close = auth.find(']');
        if (close == std::string_view::npos || close < 2) return false;
        h = auth.substr(1, close - 1);
        std::string_view rest = auth.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            p = rest.substr(1);
            has_port = true;
        }
    } else {
        std::size_t colon = auth.rfind(':');
        if (colon != std::string_view::npos) {
            h = auth.substr(0, colon);
            p = auth.substr(colon + 1);
            has_port = true;
            if (h.find(':') != std::string_view::npos) return false;  // unbracketed IPv6
        } else {
            h = auth;
        }
    }
    if (h.empty()) return false;
    // Userinfo, paths and the like have no place in an authority we check.
    for (char c : h)
        if (c == '@' || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' ||
            static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return false;
    if (has_port) {
        if (!parse_port(p, port)) return false;
    } else {
        if (default_port == 0) return false;
        port = default_port;
    }
    host = std::string(h);
    return true;
}

bool is_hop_by_hop(std::string_view name) {
    for (std::string_view h : {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                               "proxy-authenticate", "te", "trailer", "upgrade", "host"})
        if (iequals(name, h)) return true;
    return false;
}

}  // namespace

HttpHeadParser::State HttpHeadParser::fail(int status, std::string reason) {
    state_ = State::Error;
    error_ = HttpError{status, std::move(reason)};
    return state_;
}

HttpHeadParser::State HttpHeadParser::feed(std::string_view data) {
    if (state_ != State::NeedMore) return state_;
    std::size_t room = kMaxHeadBytes - buf_.size();
    buf_.append(data.substr(0, room));
    std::size_t start = scanned_ >= 3 ? scanned_ - 3 : 0;
    std::size_t end = buf_.find(kHeadEnd, start);
    if (end == std::string::npos) {
        scanned_ = buf_.size();
        if (buf_.size() >= kMaxHeadBytes) return fail(431, "request head larger than 32 KiB");
        return state_;
    }
    return parse(end + kHeadEnd.size());
}

HttpHeadParser::State HttpHeadParser::parse(std::size_t head_len) {
    std::string_view head(buf_.data(), head_len - 2);  // keep the last line's CRLF
    // Every CR must start a CRLF and every LF must end one: a bare CR or LF is
    // a line break to some parsers and not to others.
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n'))
            return fail(400, "bare CR in request head");
        if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return fail(400, "bare LF in request head");
        if (head[i] == '\0') return fail(400, "NUL in request head");
    }
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        lines.push_back(head.substr(pos, eol - pos));
        pos = eol + 2;
    }
    if (lines.empty() || lines[0].empty()) return fail(400, "empty request line");

    // Request line: exactly "METHOD SP target SP HTTP/1.x".
    std::string_view rl = lines[0];
    std::size_t sp1 = rl.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || rl.find(' ', sp2 + 1) != std::string_view::npos)
        return fail(400, "malformed request line");
    std::string_view method = rl.substr(0, sp1);
    std::string_view target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = rl.substr(sp2 + 1);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar))
        return fail(400, "malformed method");
    if (target.empty()) return fail(400, "empty request target");
    for (char c : target)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return fail(400, "invalid character in request target");
    if (version == "HTTP/1.1") {
        head_.minor_version = 1;
    } else if (version == "HTTP/1.0") {
        head_.minor_version = 0;
    } else {
        return fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
    }
    head_.method = std::string(method);

    if (method == "CONNECT") {
        head_.form = HttpHead::Form::Connect;
        if (!split_authority(target, 0, head_.host, head_.port))
            return fail(400, "CONNECT needs host:port, e.g. \"CONNECT example.com:443 HTTP/1.1\"");
    } else {
        head_.form = HttpHead::Form::Absolute;
        constexpr std::string_view kScheme = "http://";
        if (target.size() < kScheme.size() || !iequals(target.substr(0, kScheme.size()), kScheme)) {
            if (target.front() == '/')
                return fail(400, "a proxy request needs an absolute URL (http://host/path)");
            return fail(400, "only http:// URLs can be proxied this way; use CONNECT for https");
        }
        std::string_view rest = target.substr(kScheme.size());
        std::size_t slash = rest.find_first_of("/?#");
        std::string_view auth = rest.substr(0, slash);
        if (target.find('#') != std::string_view::npos) return fail(400, "fragment in request target");
        if (!split_authority(auth, 80, head_.host, head_.port))
            return fail(400, "malformed host in request URL");
        std::string_view path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
        head_.path = path.front() == '?' ? "/" + std::string(path) : std::string(path);
    }

    bool have_cl = false, have_te = false;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (line.empty()) return fail(400, "empty header line");
        if (line.front() == ' ' || line.front() == '\t') return fail(400, "obsolete header line folding");
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line");
        std::string_view name = line.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(400, "invalid header name");
        std::string_view value = line.substr(colon + 1);
        for (char c : value) {
            auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) return fail(400, "control character in header value");
        }
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        if (head_.headers.size() >= kMaxHeaders) return fail(431, "more than 100 header lines");
        if (iequals(name, "content-length")) {
            if (have_cl) return fail(400, "more than one Content-Length");
            have_cl = true;
            if (value.empty() || value.size() > 15 ||
                !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return fail(400, "invalid Content-Length");
            std::uint64_t n = 0;
            for (char c : value) n = n * 10 + static_cast<std::uint64_t>(c - '0');
            head_.content_length = n;
        } else if (iequals(name, "transfer-encoding")) {
            if (have_te) return fail(400, "more than one Transfer-Encoding");
            have_te = true;
            if (!iequals(value, "chunked"))
                return fail(501, "only \"Transfer-Encoding: chunked\" is supported");
        }
        head_.headers.emplace_back(std::string(name), std::string(value));
    }
    if (have_cl && have_te) return fail(400, "both Content-Length and Transfer-Encoding");
    if (have_te && head_.minor_version == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (head_.form == HttpHead::Form::Connect && (have_cl || have_te))
        return fail(400, "CONNECT with a body");
    head_.body = have_te
                     ? HttpHead::Body::Chunked
                     : (have_cl && head_.content_length > 0 ? HttpHead::Body::Length : HttpHead::Body::None);
    head_.head_bytes = head_len;
    state_ = State::Done;
    return state_;
}

std::string rewrite_for_upstream(const HttpHead& head) {
    // Headers that Connection names are hop-by-hop too.
    std::vector<std::string> dropped;
    for (const auto& [name, value] : head.headers) {
        if (!iequals(name, "connection") && !iequals(name, "proxy-connection")) continue;
        std::size_t start = 0;
        while (start <= value.size()) {
            std::size_t comma = value.find(',', start);
            std::string token =
                value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            token.erase(0, token.find_first_not_of(" \t"));
            token.erase(token.find_last_not_of(" \t") + 1);
            if (!token.empty()) dropped.push_back(token);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    std::string out =
        head.method + " " + head.path + " HTTP/1." + std::to_string(head.minor_version) + "\r\n";
    bool v6 = head.host.find(':') != std::string::npos;
    out += "Host: " + (v6 ? "[" + head.host + "]" : head.host);
    if (head.port != 80) out += ":" + std::to_string(head.port);
    out += "\r\n";
    for (const auto& header : head.headers) {
        const std::string& name = header.first;
        const std::string& value = header.second;
        if (is_hop_by_hop(name)) continue;
        if (iequals(name, "transfer-encoding") || iequals(name, "content-length")) {
            out.append(name).append(": ").append(value).append("\r\n");  // framing is forwarded as parsed
            continue;
        }
        if (std::any_of(dropped.begin(), dropped.end(),
                        [&](const std::string& d) { return iequals(d, name); }))
            continue;
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out += "Connection: close\r\n\r\n";
    return out;
}

std::string http_response(int status, std::string_view reason, std::string_view body) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += body;
    return out;
}

std::size_t ChunkedScanner::feed(std::string_view data) {
    constexpr std::size_t kMaxLine = 4096;  // chunk extensions and trailer lines
    std::size_t i = 0;
    while (i < data.size() && state_ == State::InBody) {
        char c = data[i];
        switch (step_) {
            case Step::Size: {
                int d = -1;
                if (c >= '0' && c <= '9')
                    d = c - '0';
                else if (c >= 'a' && c <= 'f')
                    d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    d = c - 'A' + 10;
                if (d >= 0) {
                    if (++size_digits_ > 15) {
                        state_ = State::Error;
                        break;
                    }
                    remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(d);
                } else if (size_digits_ > 0 && c == ';') {
                    step_ = Step::Ext;
                    line_len_ = 0;
                } else if (size_digits_ > 0 && c == '\r') {
                    step_ = Step::SizeLf;
                } else {
                    state_ = State::Error;
                }
                ++i;
                break;
            }
            case Step::Ext:
                if (c == '\r')
                    step_ = Step::SizeLf;
                else if (c == '\n' || ++line_len_ > kMaxLine)
                    state_ = State::Error;
                ++i;
                break;
            case Step::SizeLf:
                if (c != '\n') {
                    state_ = State::Error;
                    break;
                }
                ++i;
                size_digits_ = 0;
                if (remaining_ == 0) {
                    step_ = Step::TrailerStart;
                } else {
                    step_ = Step::Data;
                }
                break;
            case Step::Data: {
                std::size_t take =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - i));
                remaining_ -= take;
                i += take;
                if (remaining_ == 0) step_ = Step::DataCr;
                break;
            }
            case Step::DataCr:
                if (c != '\r') {
                    state_ = State::Error;
                    break;
                }
                step_ = Step::DataLf;
                ++i;
                break;
            case Step::DataLf:
                if (c != '\n') {
                    state_ = State::Error;
                    break;
                }
                step_ = Step::Size;
                ++i;
                break;
            case Step::TrailerStart:
                if (c == '\r') {
                    step_ = Step::FinalLf;
                } else if (c == '\n' || c == ' ' || c == '\t') {
                    state_ = State::Error;
                } else {
                    step_ = Step::Trailer;
                    line_len_ = 1;
                }
                ++i;
                break;
            case Step::Trailer:
                if (c == '\r')
                    step_ = Step::TrailerLf;
                else if (c == '\n' || ++line_len_ > kMaxLine)
                    state_ = State::Error;
                ++i;
                break;
            case Step::TrailerLf:
                if (c != '\n') {
                    state_ = State::Error;
                    break;
                }
                step_ = Step::TrailerStart;
                ++i;
                break;
            case Step::FinalLf:
                if (c != '\n') {
                    state_ = State::Error;
                    break;
                }
                state_ = State::Done;
                ++i;
                break;
        }
    }
    return i;
}

BodyFramer::BodyFramer(HttpHead::Body kind, std::uint64_t length)
    : active_(true), done_(kind == HttpHead::Body::None), kind_(kind), left_(length) {}

std::size_t BodyFramer::take(std::string_view data) {
    if (!active_) return data.size();
    if (done_) return 0;
    std::size_t n = 0;
    if (kind_ == HttpHead::Body::Length) {
        n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, data.size()));
        left_ -= n;
        done_ = left_ == 0;
    } else if (kind_ == HttpHead::Body::Chunked) {
        n = chunked_.feed(data);
        done_ = chunked_.state() == ChunkedScanner::State::Done;
    }
    return n;
}

}  // namespace mxc::net
