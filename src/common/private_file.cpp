#ifndef _WIN32
#include "common/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/path_components.hpp"

namespace mxc {
namespace {

Error refuse(const std::string& what, const std::string& path, const std::string& reason) {
    return make_error(what + " " + path + ": " + reason);
}

}  // namespace

Result<UniqueFd> open_private_append(const std::string& path, const std::string& what, AppendOwner owner) {
    const std::vector<std::string> parts = path_components(path);
    if (parts.empty() || parts.back() == "." || parts.back() == "..")
        return refuse(what, path, "not a file name");
    // Walk the directories one openat() at a time from a trusted start, each
    // with O_NOFOLLOW: a link anywhere on the way (planted or swapped in while
    // we walk) stops the open instead of redirecting it. openat2's
    // RESOLVE_NO_SYMLINKS would do the same in one call, but only from 5.6.
    UniqueFd dir(::open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return refuse(what, path, std::string("cannot open its start: ") + std::strerror(errno));
    std::string walked = path[0] == '/' ? "" : ".";
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        walked += "/" + parts[i];
        UniqueFd next(::openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) {
            const int err = errno;
            struct stat st {};
            if (::fstatat(dir.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode)) {
                std::string reason = walked;
                reason +=
                    " is a symbolic link, and mxc does not follow links to the files it writes: pass "
                    "the real path (realpath -m ";
                reason += path;
                reason += ")";
                return refuse(what, path, reason);
            }
            return refuse(what, path,
                          "cannot open directory " + walked + ": " + std::strerror(err) +
                              " (create it first, e.g. mkdir -p)");
        }
        dir = std::move(next);
    }

    // O_NONBLOCK: a FIFO planted here must not hang mxc in open(); whatever
    // opens is checked with fstat before a byte is written.
    const std::string& name = parts.back();
    UniqueFd fd(::openat(dir.get(), name.c_str(),
                         O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                         0600));
    if (!fd.valid()) {
        const int err = errno;
        struct stat st {};
        if (err == ELOOP ||
            (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))) {
            return refuse(
                what, path,
                "is a symbolic link; mxc does not follow links to the files it writes (a sandboxed "
                "run may have planted it): remove it, and keep the file outside the workspace, e.g. "
                "under ${XDG_STATE_HOME:-~/.local/state}/mxc/");
        }
        if (err == ENXIO) return refuse(what, path, "is a FIFO or socket, not a regular file: remove it");
        return refuse(what, path,
                      std::string(std::strerror(err)) +
                          " (check the directory exists and is writable, or use --audit -)");
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return refuse(what, path, std::string("fstat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return refuse(what, path, "is not a regular file: remove it or choose another path");
    if (st.st_uid != ::geteuid() && !(owner == AppendOwner::CallerOrRoot && st.st_uid == 0)) {
        return refuse(what, path,
                      "is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " +
                          std::to_string(::geteuid()) + "): remove it or choose another path");
    }
    if (st.st_nlink > 1) {
        // A hard link made by a sandboxed run would point the log at another
        // file of the user (the same inode under another name).
        return refuse(what, path,
                      "has " + std::to_string(st.st_nlink) +
                          " hard links, so appending would also change another file: remove this name, or "
                          "choose another path");
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        return refuse(what, path, std::string("fcntl: ") + std::strerror(errno));
    return fd;
}

}  // namespace mxc
#endif
