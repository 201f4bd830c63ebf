#include "platform/linux/apply/notified_thread.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/linux/apply/sys_error.hpp"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace mxc::lnx {

Result<NotifiedThread> NotifiedThread::open(pid_t tid) {
    // A notification names a thread; before Linux 6.9 a pidfd can only name
    // a thread-group leader, which is then the same fd table for every
    // thread that shares it (CLONE_FILES is implied by CLONE_THREAD).
    long fd = ::syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
    if (fd < 0 && errno == EINVAL) fd = ::syscall(SYS_pidfd_open, tid, 0);
    if (fd < 0) return sys_error("pidfd_open of a sandboxed thread");
    return NotifiedThread(tid, UniqueFd(static_cast<int>(fd)));
}

Status NotifiedThread::read(std::uint64_t addr, void* out, std::size_t len) const {
    iovec local{out, len};
    // The address is the sandboxed process's, never dereferenced here.
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr)), len};
    const ssize_t n = ::process_vm_readv(tid_, &local, 1, &remote, 1, 0);
    if (n != static_cast<ssize_t>(len)) return sys_error("process_vm_readv", n < 0 ? errno : EFAULT);
    return {};
}

Result<UniqueFd> NotifiedThread::dup_fd(int fd) const {
    const long copy = ::syscall(SYS_pidfd_getfd, pidfd_.get(), fd, 0);
    if (copy < 0) return sys_error("pidfd_getfd");
    return UniqueFd(static_cast<int>(copy));
}

Result<bool> NotifiedThread::fd_cloexec(int fd) const {
    const std::string path = "/proc/" + std::to_string(tid_) + "/fdinfo/" + std::to_string(fd);
    UniqueFd info(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!info.valid()) return sys_error("open", path);
    char buf[512];
    const ssize_t n = ::read(info.get(), buf, sizeof buf - 1);
    if (n <= 0) return sys_error("read", path);
    buf[n] = '\0';
    const char* flags = std::strstr(buf, "flags:");
    if (flags == nullptr) return make_error(path + ": no flags line");
    const unsigned long value = std::strtoul(flags + 6, nullptr, 8);
    return (value & O_CLOEXEC) != 0;
}

}  // namespace mxc::lnx
