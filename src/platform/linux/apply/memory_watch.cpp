#include "platform/linux/apply/memory_watch.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

// Whole small /proc file, or "" (the process exited, or the file is hidden).
std::string read_small(int proc, const std::string& rel) {
    UniqueFd fd(::openat(proc, rel.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) return {};
    char buf[1024];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// stat: "pid (comm) state ppid ...": comm may hold spaces and ')', so the
// fields start after the last ')'.
long parent_of(const std::string& stat) {
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) return -1;
    return std::strtol(stat.c_str() + close + 4, nullptr, 10);
}

// statm: "size resident shared ...", in pages.
std::uint64_t resident_pages(const std::string& statm) {
    char* end = nullptr;
    (void)std::strtoull(statm.c_str(), &end, 10);
    return end == statm.c_str() ? 0 : std::strtoull(end, nullptr, 10);
}

bool all_digits(const char* s) {
    if (*s == '\0') return false;
    for (; *s != '\0'; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

struct Entry {
    long parent = -1;
    std::uint64_t pages = 0;
};

}  // namespace

// Descendants of init by parent pid, not by namespace link: init is not
// dumpable, so an unprivileged supervisor may not read its ns/pid, while
// stat (ppid) and statm are readable for every process. Orphans re-parent to
// init (the namespace's reaper), so descendants are exactly the sandbox.
Result<std::uint64_t> sandbox_resident_bytes(pid_t init) {
    UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!proc.valid()) return sys_error("open", "/proc");
    const int listing = ::openat(proc.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) return sys_error("open", "/proc");
    DIR* dir = ::fdopendir(listing);
    if (dir == nullptr) {
        const int err = errno;
        ::close(listing);
        return sys_error("fdopendir /proc", err);
    }
    std::unordered_map<long, Entry> all;
    while (const dirent* e = ::readdir(dir)) {
        if (!all_digits(e->d_name)) continue;
        const std::string pid = e->d_name;
        const long parent = parent_of(read_small(proc.get(), pid + "/stat"));
        if (parent < 0) continue;
        all[std::strtol(pid.c_str(), nullptr, 10)] =
            Entry{parent, resident_pages(read_small(proc.get(), pid + "/statm"))};
    }
    ::closedir(dir);
    if (all.find(init) == all.end()) return make_error("sandbox init " + std::to_string(init) + " is gone");

    std::unordered_map<long, std::vector<long>> children;
    for (const auto& [pid, entry] : all) children[entry.parent].push_back(pid);
    const long page = ::sysconf(_SC_PAGESIZE);
    std::uint64_t total = 0;
    std::vector<long> todo{init};
    while (!todo.empty()) {
        const long pid = todo.back();
        todo.pop_back();
        total += all[pid].pages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
        // Extracted, so pids reused between two reads can never loop.
        auto node = children.extract(pid);
        if (!node.empty()) todo.insert(todo.end(), node.mapped().begin(), node.mapped().end());
    }
    return total;
}

}  // namespace mxc::lnx
