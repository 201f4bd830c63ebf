#pragma once
// Proxy-side HTTP/1.x request heads: CONNECT (authority-form) and
// absolute-form ("GET http://host:port/path HTTP/1.1"). Pure and bounded: no
// I/O, at most kMaxHeadBytes buffered. Parsing is strict on purpose: anything
// two HTTP implementations might frame differently (both Content-Length and
// Transfer-Encoding, obs-fold, bare CR or LF, duplicate lengths) is rejected,
// so no request can hide inside another one and reach a host that was never
// checked.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxc::net {

struct HttpHead {
    enum class Form { Connect, Absolute };
    enum class Body { None, Length, Chunked };
    Form form = Form::Connect;
    std::string method;
    std::string host;  // as sent, brackets removed from IPv6; not yet normalised
    std::uint16_t port = 0;
    std::string path;       // origin-form ("/x?y") for Absolute; "" for CONNECT
    int minor_version = 1;  // HTTP/1.<minor>
    std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed
    Body body = Body::None;
    std::uint64_t content_length = 0;
    std::size_t head_bytes = 0;  // bytes of the head including the blank line
};

struct HttpError {
    int status = 400;  // the status to answer with
    std::string reason;
};

class HttpHeadParser {
public:
    static constexpr std::size_t kMaxHeadBytes = std::size_t{32} * 1024;
    static constexpr std::size_t kMaxHeaders = 100;
    enum class State { NeedMore, Done, Error };

    // Appends bytes. Returns Done once a whole head is buffered (bytes after
    // it stay in buffered() past head().head_bytes), Error when it is invalid
    // or too large. Calls after Done/Error return the same state.
    State feed(std::string_view data);

    [[nodiscard]] State state() const { return state_; }
    [[nodiscard]] const HttpHead& head() const { return head_; }
    [[nodiscard]] const HttpError& error() const { return error_; }
    [[nodiscard]] std::string_view buffered() const { return buf_; }
    [[nodiscard]] std::string_view after_head() const {
        return std::string_view(buf_).substr(head_.head_bytes);
    }

private:
    State fail(int status, std::string reason);
    State parse(std::size_t head_len);
    std::string buf_;
    std::size_t scanned_ = 0;
    State state_ = State::NeedMore;
    HttpHead head_;
    HttpError error_;
};

// The head to send upstream for an absolute-form request: origin-form target,
// hop-by-hop and proxy headers removed, Host set from the checked target (a
// client's own Host header could name a different virtual host), and
// "Connection: close" because mxc forwards exactly one request per upstream
// connection.
std::string rewrite_for_upstream(const HttpHead& head);

// "HTTP/1.1 <status> <reason>" with a text/plain body and Connection: close.
std::string http_response(int status, std::string_view reason, std::string_view body);

// Finds the end of a chunked body as it streams through, without buffering
// it. Strict: hex sizes only, CRLF everywhere, bounded extension/trailer size.
class ChunkedScanner {
public:
    enum class State { InBody, Done, Error };
    // Consumes body bytes from `data`; returns how many belong to the body
    // (less than data.size() only when the body ended inside `data`).
    std::size_t feed(std::string_view data);
    [[nodiscard]] State state() const { return state_; }

private:
    enum class Step { Size, Ext, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, FinalLf };
    State state_ = State::InBody;
    Step step_ = Step::Size;
    std::uint64_t remaining_ = 0;
    int size_digits_ = 0;
    std::size_t line_len_ = 0;
};

// Frames an absolute-form request's body as it streams from the client:
// says how many bytes belong to the body and when it has ended, so nothing
// after it (a pipelined second request) is forwarded to the checked host.
// A default-constructed framer is inactive: every byte passes, never done.
class BodyFramer {
public:
    BodyFramer() = default;
    BodyFramer(HttpHead::Body kind, std::uint64_t length);
    // How many leading bytes of `data` belong to the body.
    std::size_t take(std::string_view data);
    [[nodiscard]] bool active() const { return active_; }
    [[nodiscard]] bool done() const { return done_; }
    [[nodiscard]] bool error() const { return chunked_.state() == ChunkedScanner::State::Error; }

private:
    bool active_ = false;
    bool done_ = false;
    HttpHead::Body kind_ = HttpHead::Body::None;
    std::uint64_t left_ = 0;
    ChunkedScanner chunked_;
};

}  // namespace mxc::net
