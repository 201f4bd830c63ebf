#pragma once
// One direction of a proxied connection (client->upstream or back). The
// first bytes are copied through user space (recv/send): most connections
// are short, and a pipe pair would cost more syscalls than it saves. Once a
// direction has carried kSpliceAfter bytes it switches to splice() through a
// pipe, so bulk payload never enters user space. Memory per direction is
// bounded by the pipe plus `pending`, which holds at most one bounded chunk:
// a rewritten request head, bytes that arrived with the request, or one read.
#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "net/http_parser.hpp"

namespace mxc::net {

// Readiness remembered between edge-triggered epoll events: set by an event,
// cleared only when a syscall says EAGAIN.
struct Readiness {
    bool readable = false;
    bool writable = false;
};

class Direction {
public:
    enum class Pump { Ok, Error };

    void init(int src, int dst, Readiness* src_ready, Readiness* dst_ready);

    // Buffered mode (for request bodies of absolute-form HTTP): bytes go
    // through user space so the end of the body can be found; nothing after
    // it is read. `limit` is Length (content_length bytes) or Chunked.
    void set_body_limit(HttpHead::Body kind, std::uint64_t length);
    // Bytes to write to dst before anything read from src.
    void set_prefix(std::string bytes) { pending_ = std::move(bytes); }
    // Feeds already-read body bytes through the limiter (buffered mode) and
    // queues the part that belongs to the body. False on a malformed body.
    bool add_body_bytes(std::string_view bytes);
    // Whether EOF on src is passed on with shutdown(dst, SHUT_WR).
    void set_half_close(bool on) { half_close_ = on; }

    // Moves as much as possible without blocking.
    Pump pump();

    [[nodiscard]] bool finished() const {
        return src_eof_ && in_pipe_ == 0 && pending_off_ >= pending_.size() && (dst_shut_ || !half_close_);
    }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

private:
    Pump pump_copy();
    Pump pump_splice();
    bool open_pipe();
    void grow_pipe();
    Pump write_pending(bool& progress);
    void take_body(std::string_view data);

    int src_ = -1;
    int dst_ = -1;
    Readiness* src_ready_ = nullptr;
    Readiness* dst_ready_ = nullptr;
    UniqueFd pipe_r_, pipe_w_;
    std::size_t in_pipe_ = 0;
    std::size_t pipe_cap_ = std::size_t{64} * 1024;
    bool pipe_grown_ = false;
    std::string pending_;
    std::size_t pending_off_ = 0;
    bool src_eof_ = false;
    bool dst_shut_ = false;
    bool half_close_ = true;
    bool buffered_ = false;  // request-body limiter active: never splices
    bool spliced_ = false;
    bool body_error_ = false;
    BodyFramer body_;
    std::uint64_t bytes_ = 0;
};

}  // namespace mxc::net
