#include "platform/linux/apply/learn_tracer.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mxc::lnx {
namespace {

constexpr std::size_t kPathMax = 4096;

// A NUL-terminated string of the process, at most kPathMax bytes, read one
// page-bounded piece at a time so an unmapped page after a short string is
// never touched. nullopt-like "" with ok=false when unreadable.
bool read_string(pid_t tid, std::uint64_t addr, std::string& out) {
    out.clear();
    const std::uint64_t page = 4096;
    while (out.size() < kPathMax) {
        const std::uint64_t room = page - (addr % page);
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(room, kPathMax - out.size()));
        char buf[4096];
        iovec local{buf, want};
        // The address is the sandboxed process's, never dereferenced here.
        // NOLINTNEXTLINE(performance-no-int-to-ptr)
        iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(addr)), want};
        const ssize_t n = ::process_vm_readv(tid, &local, 1, &remote, 1, 0);
        if (n <= 0) return false;
        const auto got = static_cast<std::size_t>(n);
        const char* nul = static_cast<const char*>(std::memchr(buf, '\0', got));
        if (nul != nullptr) {
            out.append(buf, static_cast<std::size_t>(nul - buf));
            return true;
        }
        out.append(buf, got);
        addr += got;
    }
    return false;  // longer than PATH_MAX: the kernel refuses it too
}

std::string read_link(const std::string& path) {
    char buf[kPathMax];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) return {};
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

LearnTracer::LearnTracer(std::string tmp_dir, std::size_t cap) : tmp_dir_(std::move(tmp_dir)), seen_(cap) {
    seccomp_notif_sizes sizes{};
    std::size_t resp = sizeof(seccomp_notif_resp);
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0)
        resp = std::max<std::size_t>(resp, sizes.seccomp_notif_resp);
    response_.resize(resp);
}

LearnTracer::~LearnTracer() {
    stop();
}

void LearnTracer::respond_continue(int notify_fd, std::uint64_t id) {
    std::fill(response_.begin(), response_.end(), 0);
    auto* r = reinterpret_cast<seccomp_notif_resp*>(response_.data());
    r->id = id;
    // Not a decision: see the header and docs/design.md "Learning sandbox".
    r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    // ENOENT: the caller is gone (killed, or interrupted by a signal).
    (void)::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, r);
}

bool LearnTracer::exists_in_sandbox(pid_t tid, const std::string& path) {
    if (!root_.valid()) {
        const std::string root = "/proc/" + std::to_string(tid) + "/root";
        root_.reset(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root_.valid()) return true;  // unknown: not claimed absent
    }
    // Resolved inside the sandbox's root, never following a link out of it
    // and no magic link (docs/design.md: the supervisor follows no link the
    // sandbox controls out of its tree).
    open_how how{};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const std::string rel = path == "/" ? "." : path.substr(1);
    const long fd = ::syscall(SYS_openat2, root_.get(), rel.c_str(), &how, sizeof how);
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
        return true;
    }
    // EACCES: the supervisor has the caller's credentials, so a path it may
    // not even look up was of no use to the command either (a PATH entry in
    // another user's home): a probe, not a need.
    return errno != ENOENT && errno != ENOTDIR && errno != EACCES;
}

void LearnTracer::handle(int notify_fd, const seccomp_notif& req) {
    const auto tid = static_cast<pid_t>(req.pid);
    if (tid == init_) return respond_continue(notify_fd, req.id);
    std::uint64_t args[6];
    std::copy(std::begin(req.data.args), std::end(req.data.args), std::begin(args));
    std::uint64_t how_flags = 0;
    if (req.data.nr == SYS_openat2 && args[2] != 0) {
        iovec local{&how_flags, sizeof how_flags};
        // NOLINTNEXTLINE(performance-no-int-to-ptr)
        iovec remote{reinterpret_cast<void*>(static_cast<std::uintptr_t>(args[2])), sizeof how_flags};
        if (::process_vm_readv(tid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(sizeof how_flags))
            how_flags = 0;
    }
    struct Seen {
        std::string path;
        learn::FsAccess access;
    };
    std::vector<Seen> seen;
    for (const auto& pa : path_args(req.data.nr, args, how_flags)) {
        if (args[pa.path_arg] == 0) continue;
        std::string raw;
        if (!read_string(tid, args[pa.path_arg], raw) || raw.empty()) continue;
        std::string base;
        if (raw[0] != '/') {
            const int dirfd =
                pa.dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(static_cast<std::int32_t>(args[pa.dirfd_arg]));
            base = read_link("/proc/" + std::to_string(tid) +
                             (dirfd == AT_FDCWD ? std::string("/cwd") : "/fd/" + std::to_string(dirfd)));
        }
        std::string path = absolute_path(base, raw);
        if (path.empty() || is_unrecorded(path, tmp_dir_)) continue;
        seen.push_back({std::move(path), pa.access});
    }
    const bool exec = req.data.nr == SYS_execve || req.data.nr == SYS_execveat;
    if (seen.empty()) {
        if (exec) programs_.erase(tid);
        return respond_continue(notify_fd, req.id);
    }
    // The executable per thread, read once until the thread calls execve
    // (a thread id reused within one run could be misattributed: a report,
    // not a decision).
    auto cached = programs_.find(tid);
    if (cached == programs_.end()) {
        if (programs_.size() >= 4096) programs_.clear();
        cached = programs_.emplace(tid, read_link("/proc/" + std::to_string(tid) + "/exe")).first;
    }
    const std::string program = cached->second;
    if (exec) programs_.erase(tid);
    {
        std::lock_guard<std::mutex> lock(mu_);
        bool all_known = true;
        for (const auto& s : seen) {
            bool exists = false;
            all_known = all_known && seen_.contains(s.path, s.access, program, &exists) && exists;
        }
        if (all_known) return respond_continue(notify_fd, req.id);
    }
    // What was read belongs to the caller only while its call still waits.
    std::uint64_t id = req.id;
    if (::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& s : seen) {
            bool exists = true;
            const bool known = seen_.contains(s.path, s.access, program, &exists);
            if (known && exists) continue;
            // Before the call runs: a read of a missing path is a probe that
            // fails with ENOENT. Writes create what they name.
            const bool now = s.access == learn::FsAccess::Write || exists_in_sandbox(tid, s.path);
            if (known) {
                if (now) seen_.mark_exists(s.path, s.access, program);
                continue;
            }
            seen_.add({std::move(s.path), s.access, program, now});
        }
    }
    respond_continue(notify_fd, req.id);
}

Status LearnTracer::start(UniqueFd notify) {
    notify_ = std::move(notify);
    stop_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_.valid()) return make_error(std::string("learning: eventfd: ") + std::strerror(errno));
    thread_ = std::thread([this] { serve(); });
    return {};
}

void LearnTracer::serve() {
    seccomp_notif_sizes sizes{};
    std::size_t size = sizeof(seccomp_notif);
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0)
        size = std::max<std::size_t>(size, sizes.seccomp_notif);
    std::vector<char> request(size);
    bool open = true;
    for (;;) {
        pollfd fds[2] = {{open ? notify_.get() : -1, POLLIN, 0}, {stop_.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & POLLIN) != 0) {
            std::fill(request.begin(), request.end(), 0);
            auto* req = reinterpret_cast<seccomp_notif*>(request.data());
            if (::ioctl(notify_.get(), SECCOMP_IOCTL_NOTIF_RECV, req) == 0) handle(notify_.get(), *req);
        } else if ((fds[0].revents & (POLLHUP | POLLERR)) != 0) {
            open = false;  // every sandboxed process is gone
        }
    }
}

void LearnTracer::stop() {
    if (!thread_.joinable()) return;
    const std::uint64_t one = 1;
    (void)::write(stop_.get(), &one, sizeof one);
    thread_.join();
}

std::vector<learn::FsObservation> LearnTracer::take() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.take();
}

std::size_t LearnTracer::dropped() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.dropped();
}

}  // namespace mxc::lnx
