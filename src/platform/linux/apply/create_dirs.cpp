#include "platform/linux/apply/create_dirs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/path_components.hpp"
#include "common/unique_fd.hpp"

namespace mxc::lnx {
namespace {

constexpr mode_t kPrivateDirMode = 0700;

// Opens `name` in `dir` as a directory without following a link. ENOENT is
// returned as an empty fd with errno set, so the caller can create it.
UniqueFd open_dir_nofollow(int dir, const std::string& name) {
    return UniqueFd(::openat(dir, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

}  // namespace

Status create_dir_beneath(const std::string& base, const std::string& path) {
    if (base.empty() || path.size() <= base.size() || path.compare(0, base.size(), base) != 0 ||
        (base != "/" && path[base.size()] != '/')) {
        return make_error(path + " is not below " + base);
    }
    UniqueFd dir(::open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return make_error("cannot open " + base + ": " + std::strerror(errno));
    std::string walked = base;
    for (const std::string& name : path_components(std::string_view(path).substr(base.size()))) {
        if (name.empty() || name == ".") continue;
        if (name == "..") return make_error(path + ": \"..\" in the path");
        walked += "/" + name;
        UniqueFd next = open_dir_nofollow(dir.get(), name);
        if (!next.valid() && errno == ENOENT) {
            if (::mkdirat(dir.get(), name.c_str(), kPrivateDirMode) != 0 && errno != EEXIST)
                return make_error("cannot create " + walked + ": " + std::strerror(errno));
            next = open_dir_nofollow(dir.get(), name);
        }
        if (!next.valid()) {
            struct stat st {};
            if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                return make_error(walked + " is a symlink: not followed");
            return make_error(walked + " is not a directory (" + std::strerror(errno) + ")");
        }
        dir = std::move(next);
    }
    return {};
}

}  // namespace mxc::lnx
