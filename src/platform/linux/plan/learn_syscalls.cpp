#include "platform/linux/plan/learn_syscalls.hpp"

#include <fcntl.h>
#include <sys/syscall.h>

#include <utility>

namespace mxc::lnx {
namespace {

using learn::FsAccess;

bool is_same_or_under(const std::string& path, const std::string& dir) {
    if (dir.empty()) return false;
    if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
    return path.size() == dir.size() || dir == "/" || path[dir.size()] == '/';
}

}  // namespace

std::vector<int> learned_syscalls() {
    return {
#ifdef SYS_open
        SYS_open,     SYS_creat,     SYS_stat,       SYS_lstat,    SYS_access,    SYS_readlink,
        SYS_mkdir,    SYS_rmdir,     SYS_unlink,     SYS_rename,   SYS_link,      SYS_symlink,
        SYS_chmod,    SYS_chown,     SYS_lchown,     SYS_utimes,   SYS_mknod,
#endif
        SYS_openat,   SYS_openat2,   SYS_newfstatat, SYS_statx,    SYS_faccessat, SYS_faccessat2,
        SYS_execve,   SYS_execveat,  SYS_readlinkat, SYS_mkdirat,  SYS_unlinkat,  SYS_renameat2,
        SYS_linkat,   SYS_symlinkat, SYS_fchmodat,   SYS_fchownat, SYS_truncate,  SYS_utimensat,
        SYS_chdir,    SYS_mknodat,
#ifdef SYS_renameat
        SYS_renameat,
#endif
    };
}

FsAccess open_access(std::uint64_t flags) {
    if ((flags & O_PATH) != 0) return FsAccess::Read;
    const std::uint64_t mode = flags & O_ACCMODE;
    if (mode == O_WRONLY || mode == O_RDWR || (flags & (O_CREAT | O_TRUNC)) != 0) return FsAccess::Write;
    return FsAccess::Read;
}

std::vector<PathArg> path_args(long nr, const std::uint64_t (&args)[6], std::uint64_t how_flags) {
    constexpr FsAccess R = FsAccess::Read;
    constexpr FsAccess W = FsAccess::Write;
    switch (nr) {
#ifdef SYS_open
        case SYS_open:
            return {{-1, 0, open_access(args[1])}};
        case SYS_creat:
            return {{-1, 0, W}};
        case SYS_stat:
        case SYS_lstat:
        case SYS_access:
        case SYS_readlink:
            return {{-1, 0, R}};
        case SYS_mkdir:
        case SYS_rmdir:
        case SYS_unlink:
        case SYS_chmod:
        case SYS_chown:
        case SYS_lchown:
        case SYS_utimes:
        case SYS_mknod:
            return {{-1, 0, W}};
        case SYS_rename:
            return {{-1, 0, W}, {-1, 1, W}};
        case SYS_link:
            return {{-1, 0, R}, {-1, 1, W}};
        case SYS_symlink:
            return {{-1, 1, W}};  // argument 0 is the link's text, not a path used
#endif
        case SYS_openat:
            return {{0, 1, open_access(args[2])}};
        case SYS_openat2:
            return {{0, 1, open_access(how_flags)}};
        case SYS_newfstatat:
        case SYS_statx:
        case SYS_faccessat:
        case SYS_faccessat2:
        case SYS_readlinkat:
            return {{0, 1, R, true}};
        case SYS_execve:
            return {{-1, 0, FsAccess::Execute}};
        case SYS_execveat:
            return {{0, 1, FsAccess::Execute, true}};
        case SYS_chdir:
            return {{-1, 0, R}};
        case SYS_mkdirat:
        case SYS_unlinkat:
        case SYS_mknodat:
            return {{0, 1, W}};
        case SYS_fchmodat:
        case SYS_fchownat:
            return {{0, 1, W, true}};
#ifdef SYS_renameat
        case SYS_renameat:
#endif
        case SYS_renameat2:
            return {{0, 1, W}, {2, 3, W}};
        case SYS_linkat:
            return {{0, 1, R, true}, {2, 3, W}};
        case SYS_symlinkat:
            return {{1, 2, W}};
        case SYS_truncate:
            return {{-1, 0, W}};
        case SYS_utimensat:
            // A NULL path sets the times of the fd itself.
            if (args[1] == 0) return {};
            return {{0, 1, W, true}};
        default:
            return {};
    }
}

std::string absolute_path(const std::string& base, const std::string& path) {
    if (path.empty()) return {};
    std::string joined;
    if (path[0] == '/') {
        joined = path;
    } else {
        if (base.empty() || base[0] != '/') return {};
        joined = base + "/" + path;
    }
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= joined.size()) {
        std::size_t next = joined.find('/', pos);
        if (next == std::string::npos) next = joined.size();
        std::string part = joined.substr(pos, next - pos);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(std::move(part));
        }
        pos = next + 1;
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

bool is_unrecorded(const std::string& path, const std::string& tmp_dir) {
    for (const char* dir : {"/proc", "/dev", "/sys", "/tmp"}) {
        if (is_same_or_under(path, dir)) return true;
    }
    return !tmp_dir.empty() && is_same_or_under(path, tmp_dir);
}

bool ObservationSet::add(const learn::FsObservation& obs) {
    Key key{obs.path, static_cast<int>(obs.access), obs.program};
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        it->second = it->second || obs.exists;
        return false;
    }
    if (entries_.size() >= cap_) {
        ++dropped_;
        return false;
    }
    entries_.emplace(std::move(key), obs.exists);
    return true;
}

bool ObservationSet::contains(const std::string& path, FsAccess access, const std::string& program,
                              bool* exists_out) const {
    auto it = entries_.find(Key{path, static_cast<int>(access), program});
    if (it == entries_.end()) return false;
    if (exists_out != nullptr) *exists_out = it->second;
    return true;
}

void ObservationSet::mark_exists(const std::string& path, FsAccess access, const std::string& program) {
    auto it = entries_.find(Key{path, static_cast<int>(access), program});
    if (it != entries_.end()) it->second = true;
}

std::vector<learn::FsObservation> ObservationSet::take() {
    std::vector<learn::FsObservation> out;
    out.reserve(entries_.size());
    for (auto& [key, exists] : entries_) {
        out.push_back({std::get<0>(key), static_cast<FsAccess>(std::get<1>(key)), std::get<2>(key), exists});
    }
    entries_.clear();
    return out;
}

}  // namespace mxc::lnx
