#include "integrity/nofollow_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mxc::integrity {
namespace {

Error errno_error(const std::string& what, const std::string& name, int err = errno) {
    return make_error(what + " " + name + ": " + std::strerror(err));
}

Kind kind_of(mode_t mode) {
    if (S_ISREG(mode)) return Kind::File;
    if (S_ISDIR(mode)) return Kind::Dir;
    if (S_ISLNK(mode)) return Kind::Symlink;
    return Kind::Other;
}

// `expected`: the size the caller's fstat saw (0 = unknown). The whole file
// is then read straight into the result in one read (a git index of a large
// work tree is megabytes), plus the read that sees EOF.
Result<std::string> read_all(int fd, const std::string& name, std::size_t max_bytes, std::size_t expected) {
    std::string out;
    std::size_t want = expected > 0 && expected <= max_bytes ? expected : 16384;
    for (;;) {
        const std::size_t used = out.size();
        out.resize(used + want);
        ssize_t n = ::read(fd, out.data() + used, want);
        if (n < 0 && errno == EINTR) {
            out.resize(used);
            continue;
        }
        if (n < 0) return errno_error("read", name);
        out.resize(used + static_cast<std::size_t>(n));
        if (n == 0) return out;
        if (out.size() > max_bytes)
            return make_error(name + ": larger than " + std::to_string(max_bytes) + " bytes");
        want = 16384;
    }
}

Status write_all(int fd, const std::string& bytes, const std::string& name) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return errno_error("write", name);
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return {};
}

std::string child_of(const std::string& dir, const std::string& name) {
    std::string out = dir;
    out += '/';
    out += name;
    return out;
}

Status remove_children(int dirfd, const std::string& shown, int depth) {
    if (depth > 256) return make_error(shown + ": directory tree too deep to remove");
    for (const auto& child : list_dir(dirfd)) {
        struct stat st {};
        if (::fstatat(dirfd, child.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;
            return errno_error("stat", child_of(shown, child));
        }
        if (S_ISDIR(st.st_mode)) {
            UniqueFd sub = open_dir(dirfd, child);
            if (!sub.valid()) return errno_error("open", child_of(shown, child));
            MXC_TRY(remove_children(sub.get(), child_of(shown, child), depth + 1));
            if (::unlinkat(dirfd, child.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
                return errno_error("rmdir", child_of(shown, child));
        } else if (::unlinkat(dirfd, child.c_str(), 0) != 0 && errno != ENOENT) {
            return errno_error("unlink", child_of(shown, child));
        }
    }
    return {};
}

}  // namespace

const char* to_string(Kind kind) {
    switch (kind) {
        case Kind::Absent:
            return "absent";
        case Kind::File:
            return "file";
        case Kind::Dir:
            return "directory";
        case Kind::Symlink:
            return "symlink";
        case Kind::Other:
            return "special file";
    }
    return "?";
}

bool same_content(const Node& a, const Node& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == Kind::Absent) return true;
    if (a.kind == Kind::Symlink) return a.bytes == b.bytes;
    return a.mode == b.mode && a.bytes == b.bytes;
}

Result<Node> observe(int dirfd, const std::string& name, bool read_content, std::size_t max_bytes) {
    Node node;
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return node;
        return errno_error("stat", name);
    }
    node.kind = kind_of(st.st_mode);
    node.mode = st.st_mode & 07777;
    node.uid = st.st_uid;
    node.gid = st.st_gid;
    node.dev = st.st_dev;
    node.ino = st.st_ino;
    if (node.kind == Kind::Symlink) {
        std::string target(4096, '\0');
        ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
        if (n < 0) return errno_error("readlink", name);
        target.resize(static_cast<std::size_t>(n));
        node.bytes = target;
    } else if (node.kind == Kind::File && read_content) {
        // O_NONBLOCK: a FIFO swapped in after the lstat must not hang us.
        UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
        if (!fd.valid()) return errno_error("open", name);
        struct stat again {};
        if (::fstat(fd.get(), &again) != 0) return errno_error("fstat", name);
        if (again.st_ino != st.st_ino || again.st_dev != st.st_dev || !S_ISREG(again.st_mode))
            return make_error(name + ": replaced while being read");
        auto bytes = read_all(fd.get(), name, max_bytes, static_cast<std::size_t>(again.st_size));
        if (!bytes) return bytes.error();
        node.bytes = std::move(*bytes);
    }
    return node;
}

UniqueFd open_dir(int dirfd, const std::string& name) {
    return UniqueFd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

UniqueFd open_dir_rel(int dirfd, const std::string& relative) {
    UniqueFd cur(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    std::size_t pos = 0;
    while (cur.valid() && pos < relative.size()) {
        std::size_t slash = relative.find('/', pos);
        if (slash == std::string::npos) slash = relative.size();
        const std::string part = relative.substr(pos, slash - pos);
        pos = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") return UniqueFd();
        cur = open_dir(cur.get(), part);
    }
    return cur;
}

UniqueFd open_dir_path(const std::string& absolute) {
    if (absolute.empty() || absolute[0] != '/') return UniqueFd();
    UniqueFd root(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) return root;
    return open_dir_rel(root.get(), absolute.substr(1));
}

std::vector<std::string> list_dir(int dirfd) {
    std::vector<std::string> names;
    // fdopendir takes ownership, so hand it a duplicate opened fresh at ".".
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return names;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        ::close(fd);
        return names;
    }
    while (dirent* e = ::readdir(dir)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

Status remove_tree(int dirfd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? Status{} : Status(errno_error("stat", name));
    if (!S_ISDIR(st.st_mode)) {
        if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return errno_error("unlink", name);
        return {};
    }
    UniqueFd sub = open_dir(dirfd, name);
    if (!sub.valid()) return errno_error("open", name);
    MXC_TRY(remove_children(sub.get(), name, 0));
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
        return errno_error("rmdir", name);
    return {};
}

Status write_file(int dirfd, const std::string& name, const std::string& bytes, mode_t mode, uid_t uid,
                  gid_t gid) {
    std::string tmp;
    UniqueFd fd;
    for (int i = 0; i < 100 && !fd.valid(); ++i) {
        tmp = "." + name + ".mxc-restore-" + std::to_string(::getpid()) + "-" + std::to_string(i);
        fd.reset(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno != EEXIST) return errno_error("create", tmp);
    }
    if (!fd.valid()) return errno_error("create", tmp);
    Status st = write_all(fd.get(), bytes, tmp);
    // Owner first: fchown clears set-id bits, fchmod then sets the recorded ones.
    if (st && ::geteuid() == 0 && ::fchown(fd.get(), uid, gid) != 0) st = errno_error("chown", tmp);
    if (st && ::fchmod(fd.get(), mode) != 0) st = errno_error("chmod", tmp);
    if (st) {
        // rename() cannot replace a directory: clear the way first.
        struct stat cur {};
        if (::fstatat(dirfd, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(cur.st_mode))
            st = remove_tree(dirfd, name);
    }
    if (st && ::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) st = errno_error("rename to", name);
    if (!st) (void)::unlinkat(dirfd, tmp.c_str(), 0);
    return st;
}

Status restore_node(int dirfd, const std::string& name, const Node& expected) {
    switch (expected.kind) {
        case Kind::Absent:
            return remove_tree(dirfd, name);
        case Kind::File:
            return write_file(dirfd, name, expected.bytes, expected.mode, expected.uid, expected.gid);
        case Kind::Dir: {
            struct stat cur {};
            if (::fstatat(dirfd, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(cur.st_mode)) {
                    UniqueFd d = open_dir(dirfd, name);
                    if (d.valid() && ::fchmod(d.get(), expected.mode) != 0) return errno_error("chmod", name);
                    return {};
                }
                MXC_TRY(remove_tree(dirfd, name));
            }
            if (::mkdirat(dirfd, name.c_str(), expected.mode) != 0) return errno_error("mkdir", name);
            if (::geteuid() == 0 &&
                ::fchownat(dirfd, name.c_str(), expected.uid, expected.gid, AT_SYMLINK_NOFOLLOW) != 0)
                return errno_error("chown", name);
            return {};
        }
        case Kind::Symlink:
            MXC_TRY(remove_tree(dirfd, name));
            if (::symlinkat(expected.bytes.c_str(), dirfd, name.c_str()) != 0)
                return errno_error("symlink", name);
            return {};
        case Kind::Other:
            break;
    }
    return make_error(name + ": cannot recreate a special file");
}

Result<std::string> move_aside(int dirfd, const std::string& name, const std::string& tag) {
    for (int i = 0; i < 100; ++i) {
        std::string aside = name;
        aside += ".mxc-";
        aside += tag;
        if (i != 0) aside += "-" + std::to_string(i);
        struct stat st {};
        if (::fstatat(dirfd, aside.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
        if (::renameat(dirfd, name.c_str(), dirfd, aside.c_str()) != 0) return errno_error("rename", name);
        return aside;
    }
    return make_error(name + ": no free name to move it aside");
}

}  // namespace mxc::integrity
