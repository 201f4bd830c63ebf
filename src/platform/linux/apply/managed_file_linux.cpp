// The managed file's trust walk on Linux: every component is opened from
// "/" with O_PATH|O_NOFOLLOW and judged by fstat, so a symlink anywhere is
// seen (and refused) and the file read is the one that was judged.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.hpp"
#include "platform/managed_file.hpp"
#include "platform/managed_path.hpp"
#include "policy/managed_trust.hpp"
#include "policy/resolve.hpp"

namespace mxc::platform {
namespace {

Error untrusted(const std::string& file, const std::string& component, const std::string& why) {
    return Error{"managed policy " + file + " is not trusted: " + component + " " + why +
                 "; only root may be able to change it and every directory above it (see docs/managed.md)"};
}

// "managed policy FILE: WHAT SUBJECT: strerror(errno)".
Error os_error(const std::string& file, const char* what, const std::string& subject) {
    const int saved = errno;
    std::string m = "managed policy ";
    m.append(file).append(": ").append(what).append(subject).append(": ").append(std::strerror(saved));
    return Error{std::move(m)};
}

Error too_large(const std::string& file) {
    return Error{"managed policy " + file + " is larger than " + std::to_string(policy::kMaxProfileBytes) +
                 " bytes"};
}

}  // namespace

std::string default_managed_policy_path() {
    const std::string configured = MXC_MANAGED_POLICY_PATH;
    return configured.empty() ? "/etc/mxc/managed.toml" : configured;
}

Result<std::optional<std::string>> read_managed_file(const std::string& path) {
    if (path.empty() || path.front() != '/')
        return make_error("managed policy path \"" + path + "\" is not absolute");
    UniqueFd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return os_error(path, "cannot open ", "/");
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) return os_error(path, "fstat ", "/");
    if (auto bad = policy::posix_trust_problem({st.st_uid, st.st_mode}, false))
        return untrusted(path, "/", *bad);

    std::string so_far;
    std::size_t pos = 1;
    while (pos <= path.size()) {
        std::size_t end = path.find('/', pos);
        if (end == std::string::npos) end = path.size();
        const std::string name = path.substr(pos, end - pos);
        pos = end + 1;
        if (name.empty() || name == ".") continue;
        if (name == "..") return make_error("managed policy path \"" + path + "\" contains \"..\"");
        so_far += "/" + name;
        const bool last = end == path.size();
        UniqueFd next(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) {
            if (errno == ENOENT) return std::optional<std::string>{};
            return os_error(path, "cannot open ", so_far);
        }
        if (::fstat(next.get(), &st) != 0) return os_error(path, "fstat ", so_far);
        if (auto bad = policy::posix_trust_problem({st.st_uid, st.st_mode}, last))
            return untrusted(path, so_far, *bad);
        if (!last) {
            dir = std::move(next);
            continue;
        }
        // Open it for reading by name from the judged directory, and make
        // sure it is the inode just judged (nothing swapped it since).
        UniqueFd file(
            ::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        struct stat opened {};
        if (!file.valid() || ::fstat(file.get(), &opened) != 0) return os_error(path, "cannot read", "");
        if (opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
            return make_error("managed policy " + path + " changed while it was checked: try again");
        if (st.st_size > static_cast<off_t>(policy::kMaxProfileBytes)) return too_large(path);
        std::string text;
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(file.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return os_error(path, "read", "");
            if (n == 0) break;
            text.append(buf, static_cast<std::size_t>(n));
            if (text.size() > policy::kMaxProfileBytes) return too_large(path);
        }
        return std::optional<std::string>{std::move(text)};
    }
    return make_error("managed policy path \"" + path + "\" names a directory");
}

}  // namespace mxc::platform
