#pragma once
// Reading a whole small file the kernel provides (/proc, cgroupfs, sysctls)
// or the host's own configuration (/etc/nsswitch.conf): the one helper for
// what cgroup, pids_cgroup, host_facts and the resolver each read (Linux).
// Not for files a sandbox could have written: those go through
// integrity/nofollow_fs.hpp, which refuses links.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace mxc {

// The file's bytes; "" when it cannot be opened or read (a missing
// controller file, a sysctl this kernel lacks). Inline: GCC 12 reports a
// false -Wrestrict in its callers when the string comes from out of line.
// Plain read(2), not iostreams: a run reads about ten of these before its
// command starts, and iostreams cost 10-20 us each to set up.
inline std::string slurp(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            out.clear();
            break;
        }
    }
    ::close(fd);
    return out;
}

}  // namespace mxc
