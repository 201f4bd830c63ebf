#include "platform/linux/apply/unix_socket_target.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <utility>

#include "common/path_components.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "policy/paths.hpp"

namespace mxc::lnx {
namespace {

// Longest name a pathname sockaddr_un can carry.
constexpr std::size_t kSunPathMax = sizeof(sockaddr_un{}.sun_path);

// The refusal `err`, its detail the concatenation of `parts`.
UnixSocketTarget refuse(int err, std::initializer_list<std::string_view> parts) {
    UnixSocketTarget t;
    t.error = err;
    for (std::string_view part : parts) t.detail.append(part);
    return t;
}

// One name below `dir`, never following a link (a trailing one is returned
// as the link itself, O_PATH | O_NOFOLLOW), never leaving `dir`. `name` has
// no '/' and is not "." or "..", so the plain openat fallback (kernels before
// openat2) is as strict.
int open_name(int dir, const std::string& name) {
    open_how how{};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(::syscall(SYS_openat2, dir, name.c_str(), &how, sizeof how));
    if (fd < 0 && errno == ENOSYS) fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    return fd;
}

bool same_inode(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// One directory between the root and the current position.
struct Level {
    UniqueFd fd;
    std::string name;
};

// The chain of directories from `root_fd` down to `cwd_fd`, found by walking
// up with ".." and looking each directory up by inode in its parent (what
// getcwd does): /proc/TID/cwd as text is relative to the reader's root, not
// the sandbox's, so it cannot be used.
Result<std::vector<Level>> cwd_levels(int root_fd, int cwd_fd) {
    struct stat root_st {};
    if (::fstat(root_fd, &root_st) != 0) return sys_error("fstat sandbox root");
    UniqueFd cur(::fcntl(cwd_fd, F_DUPFD_CLOEXEC, 3));
    if (!cur.valid()) return sys_error("dup cwd");
    std::vector<Level> up;
    for (int depth = 0; depth < PATH_MAX / 2; ++depth) {
        struct stat st {};
        if (::fstat(cur.get(), &st) != 0) return sys_error("fstat cwd component");
        if (same_inode(st, root_st)) {
            std::vector<Level> down;
            down.reserve(up.size());
            for (auto it = up.rbegin(); it != up.rend(); ++it) down.push_back(std::move(*it));
            return down;
        }
        UniqueFd parent(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!parent.valid()) return sys_error("open .. of cwd");
        struct stat pst {};
        if (::fstat(parent.get(), &pst) != 0) return sys_error("fstat parent of cwd");
        if (same_inode(pst, st)) return make_error("the working directory is outside the sandbox's root");
        UniqueFd list(::openat(parent.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!list.valid()) return sys_error("list parent of cwd");
        DIR* d = ::fdopendir(list.get());
        if (d == nullptr) return sys_error("fdopendir");
        (void)list.release();  // owned by `d` now
        std::string found;
        while (dirent* e = ::readdir(d)) {
            const std::string_view n = e->d_name;
            if (n == "." || n == "..") continue;
            struct stat cst {};
            if (::fstatat(parent.get(), e->d_name, &cst, AT_SYMLINK_NOFOLLOW) == 0 && same_inode(cst, st)) {
                found = e->d_name;
                break;
            }
        }
        ::closedir(d);
        if (found.empty())
            return make_error("the working directory is not reachable from the sandbox's root");
        up.push_back(Level{std::move(cur), std::move(found)});
        cur = std::move(parent);
    }
    return make_error("the working directory is nested too deep");
}

std::string canonical(const std::vector<Level>& levels) {
    if (levels.empty()) return "/";
    std::string out;
    for (const auto& l : levels) out.append("/").append(l.name);
    return out;
}

}  // namespace

UnixSocketTarget resolve_unix_socket_at(int root_fd, int cwd_fd, std::string_view sun_path) {
    if (sun_path.size() > kSunPathMax) return refuse(EINVAL, {"address longer than sun_path"});
    // The kernel reads a pathname address up to its first NUL.
    const std::size_t nul = sun_path.find('\0');
    if (nul == 0) return refuse(EINVAL, {"an abstract socket address, not a path"});
    if (nul != std::string_view::npos) sun_path = sun_path.substr(0, nul);
    if (sun_path.empty()) return refuse(EINVAL, {"empty socket path"});
    const std::string shown(sun_path);

    std::vector<Level> levels;  // from the root down to the current directory
    if (sun_path.front() != '/') {
        if (cwd_fd < 0)
            return refuse(EINVAL, {"relative socket path ", shown, " without a working directory"});
        auto up = cwd_levels(root_fd, cwd_fd);
        if (!up) return refuse(EACCES, {"relative socket path ", shown, ": ", up.error().message});
        levels = std::move(up).value();
    }
    const auto dir_fd = [&]() { return levels.empty() ? root_fd : levels.back().fd.get(); };

    auto parts = path_components(sun_path);
    std::deque<std::string> todo(parts.begin(), parts.end());
    // A trailing slash asks for a directory, which a socket never is.
    const bool want_dir = sun_path.back() == '/';
    int links = 0;
    while (!todo.empty()) {
        std::string name = std::move(todo.front());
        todo.pop_front();
        if (name == ".") continue;
        if (name == "..") {
            // Lexically, over directories already resolved: ".." at the root
            // stays there, as it does for a process inside it.
            if (!levels.empty()) levels.pop_back();
            continue;
        }
        if (name.size() > NAME_MAX) return refuse(ENAMETOOLONG, {"a name in ", shown, " is too long"});
        UniqueFd fd(open_name(dir_fd(), name));
        if (!fd.valid()) {
            const int err = errno;
            return refuse(err == EXDEV || err == EAGAIN ? EACCES : err,
                          {"resolving ", shown, " at ", name, ": ", std::strerror(err)});
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return refuse(EACCES, {"fstat ", name, ": ", std::strerror(errno)});
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxSocketPathLinks) return refuse(ELOOP, {"too many symlinks in ", shown});
            std::array<char, PATH_MAX> buf{};
            const ssize_t n = ::readlinkat(fd.get(), "", buf.data(), buf.size());
            if (n < 0) return refuse(EACCES, {"readlink ", name, ": ", std::strerror(errno)});
            if (n == 0) return refuse(ENOENT, {"empty symlink ", name, " in ", shown});
            if (static_cast<std::size_t>(n) == buf.size())
                return refuse(ENAMETOOLONG, {"symlink ", name, " in ", shown, " is too long"});
            const std::string_view target(buf.data(), static_cast<std::size_t>(n));
            // An absolute target starts over at the sandbox's root, not the host's.
            if (target.front() == '/') levels.clear();
            auto more = path_components(target);
            todo.insert(todo.begin(), more.begin(), more.end());
            continue;
        }
        const bool last = todo.empty();
        if (S_ISDIR(st.st_mode)) {
            levels.push_back(Level{std::move(fd), std::move(name)});
            if (last) return refuse(ECONNREFUSED, {shown, " is a directory, not a socket"});
            continue;
        }
        if (!last || want_dir)
            return refuse(ENOTDIR, {"resolving ", shown, ": ", name, " is not a directory"});
        if (!S_ISSOCK(st.st_mode)) return refuse(ECONNREFUSED, {shown, " is not a socket"});
        UnixSocketTarget t;
        t.path = canonical(levels);
        t.path += (t.path == "/" ? "" : "/") + name;
        if (t.path.size() >= PATH_MAX) return refuse(ENAMETOOLONG, {"resolved path of ", shown, " too long"});
        t.opath = std::move(fd);
        t.dev = st.st_dev;
        t.ino = st.st_ino;
        return t;
    }
    return refuse(ECONNREFUSED, {shown, " names a directory, not a socket"});
}

UnixSocketTarget resolve_unix_socket(pid_t tid, std::string_view sun_path) {
    // The magic links of /proc are the kernel's, not the sandbox's: following
    // them is how the supervisor reaches the thread's root and cwd.
    const std::string proc = "/proc/" + std::to_string(tid);
    UniqueFd root(::open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) return refuse(EACCES, {"open ", proc, "/root: ", std::strerror(errno)});
    UniqueFd cwd;
    const std::size_t nul = sun_path.find('\0');
    const bool relative = !sun_path.empty() && nul != 0 && sun_path.front() != '/';
    if (relative) {
        cwd.reset(::open((proc + "/cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!cwd.valid()) return refuse(EACCES, {"open ", proc, "/cwd: ", std::strerror(errno)});
    }
    return resolve_unix_socket_at(root.get(), cwd.get(), sun_path);
}

const UnixSocketRule* unix_socket_rule_for(std::string_view canonical,
                                           const std::vector<UnixSocketRule>& rules) {
    for (const auto& r : rules) {
        if (policy::is_same_or_under(canonical, r.path)) return &r;
    }
    return nullptr;
}

bool unix_socket_allowed(std::string_view canonical, const std::vector<UnixSocketRule>& rules) {
    return unix_socket_rule_for(canonical, rules) != nullptr;
}

Result<bool> bound_in_sandbox_netns(int sock_diag_fd, dev_t dev, ino_t ino) {
    // unix_diag reports the superblock's s_dev, the kernel's internal
    // encoding (major << 20 | minor), not the st_dev userspace sees.
    const auto kernel_dev = static_cast<std::uint32_t>((::major(dev) << 20) | ::minor(dev));
    struct Request {
        nlmsghdr nlh;
        unix_diag_req req;
    } request{};
    request.nlh.nlmsg_len = sizeof request;
    request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.nlh.nlmsg_seq = 1;
    request.req.sdiag_family = AF_UNIX;
    request.req.udiag_states = ~0U;
    request.req.udiag_show = UDIAG_SHOW_VFS;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock_diag_fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) != static_cast<ssize_t>(sizeof request))
        return sys_error("sock_diag request");

    bool found = false;
    alignas(nlmsghdr) std::array<char, 32768> buf{};
    for (;;) {
        const ssize_t n = ::recv(sock_diag_fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("sock_diag reply");
        }
        if (n == 0) return make_error("sock_diag reply: end of stream");
        int len = static_cast<int>(n);
// NLMSG_OK and RTA_OK compare the kernel's unsigned lengths with an int.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != request.nlh.nlmsg_seq) continue;
            if (h->nlmsg_type == NLMSG_DONE) return found;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
                return sys_error("sock_diag", h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) ? -e->error : EPROTO);
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg)))
                continue;
            const auto* msg = static_cast<const unix_diag_msg*>(NLMSG_DATA(h));
            auto attr_len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
            for (auto* a = reinterpret_cast<const rtattr*>(msg + 1); RTA_OK(a, attr_len);
                 a = RTA_NEXT(a, attr_len)) {
                if (a->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(a) < sizeof(unix_diag_vfs)) continue;
                unix_diag_vfs vfs{};
                std::memcpy(&vfs, RTA_DATA(a), sizeof vfs);
                if (vfs.udiag_vfs_dev == kernel_dev && vfs.udiag_vfs_ino == ino) found = true;
            }
        }
#pragma GCC diagnostic pop
    }
}

UnixConnectDecision decide_unix_connect(UnixSocketTarget target, const std::vector<UnixSocketRule>& rules,
                                        int sock_diag_fd) {
    UnixConnectDecision d;
    if (target.error != 0) {
        d.why = target.detail;
        d.target = std::move(target);
        return d;
    }
    if (const auto* rule = unix_socket_rule_for(target.path, rules)) {
        d.allowed = true;
        d.why = rule->why;
    } else if (sock_diag_fd >= 0) {
        auto bound = bound_in_sandbox_netns(sock_diag_fd, target.dev, target.ino);
        if (!bound) {
            // Fail closed: without the answer, the socket may be the host's.
            d.why = "not in [network].unix, and whether the sandbox bound it is unknown (" +
                    bound.error().message + ")";
        } else if (*bound) {
            d.allowed = true;
            d.why = "bound inside the sandbox";
        }
    }
    if (!d.allowed) {
        if (d.why.empty()) d.why = "not in [network].unix";
        target.error = ECONNREFUSED;
        target.detail = d.why;
        target.opath.reset();
    }
    d.target = std::move(target);
    return d;
}

Status connect_unix_via_opath(int sock, int opath_fd) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = "/proc/self/fd/" + std::to_string(opath_fd);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    for (;;) {
        if (::connect(sock, reinterpret_cast<const sockaddr*>(&addr), len) == 0) return {};
        if (errno == EINTR) continue;
        if (errno == EINPROGRESS) return {};
        const int err = errno;
        Error e = sys_error("connect unix socket via", path, err);
        errno = err;  // the broker answers the sandbox with connect()'s errno
        return e;
    }
}

}  // namespace mxc::lnx
