#pragma once
// Access to the thread whose system call the broker filter handed to the
// supervisor: its memory (the sockaddr it passed) and its file descriptors.
// Everything read here is a copy the supervisor decides on; the caller can
// change its own memory or fd table afterwards without changing the decision
// (docs/design.md "Network": decide on your own copy).
//
// Each result is only meaningful while the notification is still pending:
// the caller checks SECCOMP_IOCTL_NOTIF_ID_VALID after reading, so a thread
// id reused by another process is never mistaken for the caller.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {

class NotifiedThread {
public:
    // A pidfd for thread `tid` (PIDFD_THREAD where the kernel has it).
    static Result<NotifiedThread> open(pid_t tid);

    // Copies `len` bytes at `addr` of the thread's memory into `out`.
    [[nodiscard]] Status read(std::uint64_t addr, void* out, std::size_t len) const;
    // A copy of the thread's descriptor `fd` (pidfd_getfd: same open file).
    [[nodiscard]] Result<UniqueFd> dup_fd(int fd) const;
    // Whether the thread's descriptor `fd` is close-on-exec (fdinfo flags).
    [[nodiscard]] Result<bool> fd_cloexec(int fd) const;

    [[nodiscard]] pid_t tid() const { return tid_; }

private:
    NotifiedThread(pid_t tid, UniqueFd pidfd) : tid_(tid), pidfd_(std::move(pidfd)) {}
    pid_t tid_;
    UniqueFd pidfd_;
};

}  // namespace mxc::lnx
