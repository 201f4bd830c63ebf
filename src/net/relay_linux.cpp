#include "net/relay_linux.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mxc::net {
namespace {
constexpr std::uint64_t kGrowAfter = std::uint64_t{4} * 1024 * 1024;
constexpr std::size_t kBulkPipeSize = std::size_t{1024} * 1024;
constexpr std::uint64_t kSpliceAfter = std::uint64_t{256} * 1024;
}  // namespace

void Direction::init(int src, int dst, Readiness* src_ready, Readiness* dst_ready) {
    src_ = src;
    dst_ = dst;
    src_ready_ = src_ready;
    dst_ready_ = dst_ready;
}

bool Direction::open_pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
    pipe_r_.reset(fds[0]);
    pipe_w_.reset(fds[1]);
    // pipe_cap_ stays at the default 64 KiB; should the kernel have handed out
    // a smaller pipe (per-user limit), splice() just moves less per call.
    return true;
}

void Direction::set_body_limit(HttpHead::Body kind, std::uint64_t length) {
    buffered_ = true;
    body_ = BodyFramer(kind, length);
    if (body_.done()) src_eof_ = true;
}

void Direction::take_body(std::string_view data) {
    std::size_t take = body_.take(data);
    if (body_.error()) body_error_ = true;
    if (body_.done()) src_eof_ = true;
    // Whatever follows the body (a pipelined second request) is dropped: one
    // request per upstream connection, so nothing reaches a host unchecked.
    pending_.append(data.substr(0, take));
}

bool Direction::add_body_bytes(std::string_view bytes) {
    if (!src_eof_) take_body(bytes);
    return !body_error_;
}

Direction::Pump Direction::write_pending(bool& progress) {
    while (pending_off_ < pending_.size() && dst_ready_->writable) {
        ssize_t n =
            ::send(dst_, pending_.data() + pending_off_, pending_.size() - pending_off_, MSG_NOSIGNAL);
        if (n > 0) {
            pending_off_ += static_cast<std::size_t>(n);
            bytes_ += static_cast<std::uint64_t>(n);
            progress = true;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            dst_ready_->writable = false;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return Pump::Error;
        }
    }
    if (pending_off_ >= pending_.size() && !pending_.empty()) {
        pending_.clear();
        pending_off_ = 0;
    }
    return Pump::Ok;
}

Direction::Pump Direction::pump_copy() {
    char buf[64 * 1024];
    while (true) {
        bool progress = false;
        if (write_pending(progress) == Pump::Error) return Pump::Error;
        if (!buffered_ && pending_.empty() && bytes_ >= kSpliceAfter) return Pump::Ok;  // pump() splices now
        if (pending_.empty() && !src_eof_ && src_ready_->readable) {
            ssize_t n = ::recv(src_, buf, sizeof buf, 0);
            if (n > 0) {
                take_body(std::string_view(buf, static_cast<std::size_t>(n)));
                if (body_error_) return Pump::Error;
                progress = true;
            } else if (n == 0) {
                src_eof_ = true;
                progress = true;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                src_ready_->readable = false;
            } else if (errno != EINTR) {
                return Pump::Error;
            }
        }
        if (!progress) return Pump::Ok;
    }
}

void Direction::grow_pipe() {
    // Bulk transfers move more per splice() with a bigger pipe. Only those
    // get one: pipe capacity counts against a per-user limit, and past it
    // the kernel hands out tiny pipes to everyone.
    pipe_grown_ = true;
    int cap = ::fcntl(pipe_w_.get(), F_SETPIPE_SZ, static_cast<int>(kBulkPipeSize));
    if (cap > 0) pipe_cap_ = static_cast<std::size_t>(cap);
}

Direction::Pump Direction::pump() {
    if (!spliced_) {
        if (pump_copy() == Pump::Error) return Pump::Error;
        if (!buffered_ && !src_eof_ && pending_.empty() && bytes_ >= kSpliceAfter) {
            if (!open_pipe()) return Pump::Error;
            spliced_ = true;
        }
    }
    if (spliced_ && pump_splice() == Pump::Error) return Pump::Error;
    if (src_eof_ && in_pipe_ == 0 && pending_off_ >= pending_.size() && half_close_ && !dst_shut_) {
        ::shutdown(dst_, SHUT_WR);
        dst_shut_ = true;
    }
    return Pump::Ok;
}

Direction::Pump Direction::pump_splice() {
    while (true) {
        bool progress = false;
        if (write_pending(progress) == Pump::Error) return Pump::Error;
        if (!pending_.empty()) break;  // earlier bytes go first
        if (!src_eof_ && src_ready_->readable && in_pipe_ < pipe_cap_) {
            ssize_t n = ::splice(src_, nullptr, pipe_w_.get(), nullptr, pipe_cap_ - in_pipe_,
                                 SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                in_pipe_ += static_cast<std::size_t>(n);
                progress = true;
            } else if (n == 0) {
                src_eof_ = true;
                progress = true;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                // EAGAIN also means "pipe full" when the pipe holds many
                // partly filled buffers; only an empty pipe proves the
                // socket itself has nothing, so only then forget readiness.
                if (in_pipe_ == 0) src_ready_->readable = false;
            } else if (errno != EINTR) {
                return Pump::Error;
            }
        }
        if (in_pipe_ > 0 && dst_ready_->writable) {
            ssize_t n =
                ::splice(pipe_r_.get(), nullptr, dst_, nullptr, in_pipe_, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                in_pipe_ -= static_cast<std::size_t>(n);
                bytes_ += static_cast<std::uint64_t>(n);
                progress = true;
                if (!pipe_grown_ && bytes_ > kGrowAfter) grow_pipe();
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                dst_ready_->writable = false;
            } else if (n < 0 && errno != EINTR) {
                return Pump::Error;
            }
        }
        if (!progress) break;
    }
    return Pump::Ok;
}

}  // namespace mxc::net
