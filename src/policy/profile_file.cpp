#include "policy/profile_file.hpp"

#ifdef _WIN32
#include <filesystem>
#include <fstream>
#else
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/unique_fd.hpp"
#endif

namespace mxc::policy {
namespace {

Error too_large(const std::string& path) {
    return make_error("profile \"" + path + "\" is larger than 1 MiB");
}

}  // namespace

#ifdef _WIN32

Result<std::string> read_profile_file(const std::string& path, std::size_t max_bytes,
                                      std::chrono::milliseconds /*idle_timeout*/) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return make_error("cannot read profile \"" + path + "\": no such file");
    if (!fs::is_regular_file(status)) return make_error("profile \"" + path + "\" is not a regular file");
    auto size = fs::file_size(path, ec);
    if (!ec && size > max_bytes) return too_large(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("cannot open profile \"" + path + "\"");
    std::string bytes;
    char chunk[16 * 1024];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (bytes.size() > max_bytes) return too_large(path);
    }
    if (in.bad()) return make_error("cannot read profile \"" + path + "\"");
    return bytes;
}

#else

namespace {

// /dev/stdin, /dev/fd/N, /proc/self/fd/N: a descriptor mxc already holds.
std::optional<int> inherited_fd(const std::string& path) {
    if (path == "/dev/stdin") return 0;
    for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
        if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) continue;
        int n = 0;
        for (std::size_t i = prefix.size(); i < path.size(); ++i) {
            if (path[i] < '0' || path[i] > '9' || n > 1000000) return std::nullopt;
            n = n * 10 + (path[i] - '0');
        }
        return n;
    }
    return std::nullopt;
}

UniqueFd open_profile(const std::string& path) {
    // Reopening a pipe through /proc checks the pipe's own mode, which is
    // 0600 for its creator: a pipe made by root (sudo -u, a CI runner) and
    // handed down as stdin cannot be reopened. Read the descriptor itself.
    if (auto n = inherited_fd(path)) return UniqueFd(::fcntl(*n, F_DUPFD_CLOEXEC, 3));
    // Links are followed: the path is the user's own argument (or an extends
    // entry of a profile the user chose). O_NONBLOCK because opening a FIFO
    // that has no writer would otherwise block in open(), where no timeout
    // reaches.
    return UniqueFd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
}

}  // namespace

Result<std::string> read_profile_file(const std::string& path, std::size_t max_bytes,
                                      std::chrono::milliseconds idle_timeout) {
    UniqueFd fd = open_profile(path);
    if (!fd.valid()) {
        const int err = errno;
        if (err == ENOENT || err == EBADF)
            return make_error("cannot read profile \"" + path + "\": no such file");
        return make_error("cannot open profile \"" + path + "\": " + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        const int err = errno;
        return make_error("cannot read profile \"" + path + "\": " + std::strerror(err));
    }
    const bool regular = S_ISREG(st.st_mode);
    // Pipes, FIFOs and terminals (-p /dev/stdin typed by hand) have no size:
    // only the cap below ends them if they never do.
    const bool stream = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode);
    if (!regular && !stream) {
        return make_error("profile \"" + path + "\" is not a regular file or a pipe");
    }
    if (regular && static_cast<unsigned long long>(st.st_size) > max_bytes) return too_large(path);

    std::string bytes;
    char chunk[16 * 1024];
    for (;;) {
        if (stream) {
            // Wait before every read: a FIFO nobody has opened for writing
            // reads as end-of-file at once, but polls as not ready until a
            // writer comes (and as POLLHUP once the last writer left).
            pollfd p{fd.get(), POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(idle_timeout.count()));
            if (ready < 0) {
                const int err = errno;
                if (err == EINTR) continue;
                return make_error("cannot read profile \"" + path + "\": poll: " + std::strerror(err));
            }
            if (ready == 0) {
                return make_error("profile \"" + path + "\": nothing was written to it for " +
                                  std::to_string(idle_timeout.count() / 1000) +
                                  " s (a pipe or FIFO with no writer?)");
            }
        }
        const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n > 0) {
            bytes.append(chunk, static_cast<std::size_t>(n));
            // Bounded even for regular files: /proc-style files report size 0.
            if (bytes.size() > max_bytes) return too_large(path);
            continue;
        }
        if (n == 0) break;
        const int err = errno;
        if (err == EINTR || (stream && (err == EAGAIN || err == EWOULDBLOCK))) continue;
        return make_error("cannot read profile \"" + path + "\": " + std::strerror(err));
    }
    return bytes;
}

#endif

}  // namespace mxc::policy
