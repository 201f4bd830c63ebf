#include "platform/linux/apply/host_facts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/path_components.hpp"
#include "common/slurp.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/apply/cgroup.hpp"
#include "platform/linux/apply/pids_cgroup.hpp"
#include "policy/paths.hpp"
#include "policy/writable_areas.hpp"

extern char** environ;

namespace mxc::lnx {
namespace {

// -1 when the sysctl does not exist.
long read_sysctl(const char* path) {
    std::string s = slurp(path);
    if (s.empty()) return -1;
    return std::strtol(s.c_str(), nullptr, 10);
}

bool user_namespaces_enabled(unsigned uid, std::string& detail) {
    if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0) {
        detail = "user.max_user_namespaces = 0";
        return false;
    }
    if (uid != 0 && read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
        detail = "kernel.unprivileged_userns_clone = 0";
        return false;
    }
    if (uid != 0 && read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
        detail = "kernel.apparmor_restrict_unprivileged_userns = 1";
        return false;
    }
    detail = "enabled";
    return true;
}

bool has_pidfd() {
    long fd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
    if (fd < 0) return false;
    ::close(static_cast<int>(fd));
    return true;
}

// Can we really create the namespaces? Doctor only: costs a fork.
bool try_unshare(int flags, std::string& detail) {
    pid_t pid = ::fork();
    if (pid < 0) {
        detail = "fork failed";
        return false;
    }
    if (pid == 0) _exit(::unshare(flags) == 0 ? 0 : 1);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    detail = ok ? "ok" : "unshare failed";
    return ok;
}

}  // namespace

int landlock_abi() {
    long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
    return abi < 0 ? 0 : static_cast<int>(abi);
}

namespace {

// What lstat (and readlink, for a link) said about one absolute path. The
// rule paths of a profile share most of their prefixes ("/", "/etc",
// $HOME): one walk per rule lstat'ed "/" 108 times per run; one look per
// path and run serves them all (issue 14: 441 -> 155 calls for default).
struct Seen {
    bool ok = false;
    mode_t mode = 0;
    std::string link;  // readlink target; "" when unreadable or not a link
};

// Most rule paths name something that does not exist (a secret a deny rule
// covers, a file a protected name guards: 130 of coding-agent's 150 here),
// and they crowd into a few directories ($HOME, ~/.config, /etc, the
// workspace). Such a directory is read once: a name its listing lacks needs
// no lstat of its own. The directory was walked (and found to be a real
// one, not a link) just before; its listing is a snapshot like any lstat.
constexpr std::size_t kListFrom = 6;       // rule paths below one directory
constexpr std::size_t kListAtMost = 4096;  // entries; a bigger one is lstat'ed name by name
struct SeenPaths {
    std::unordered_map<std::string, Seen> paths;
    std::unordered_set<std::string> to_list;  // directories worth a listing
    // A directory's names; nullopt when it could not be read whole (no read
    // permission, too big): its paths are lstat'ed one by one.
    std::unordered_map<std::string, std::optional<std::unordered_set<std::string>>> listings;
};

std::optional<std::unordered_set<std::string>> list_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        ::close(fd);
        return std::nullopt;
    }
    std::unordered_set<std::string> names;
    errno = 0;
    bool whole = true;
    while (const dirent* e = ::readdir(d)) {
        if (names.size() == kListAtMost) {
            whole = false;
            break;
        }
        names.emplace(e->d_name);
    }
    if (errno != 0) whole = false;
    ::closedir(d);
    if (!whole) return std::nullopt;
    return names;
}

// False only when `path` certainly does not exist: its directory was listed
// and the name is not there.
bool may_exist(SeenPaths& seen, const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos || slash + 1 == path.size()) return true;  // "/" itself
    const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (!seen.to_list.contains(dir)) return true;
    auto [it, inserted] = seen.listings.try_emplace(dir);
    if (inserted) it->second = list_directory(dir);
    return !it->second || it->second->contains(path.substr(slash + 1));
}

const Seen& look(SeenPaths& seen, const std::string& path) {
    auto [it, inserted] = seen.paths.try_emplace(path);
    if (!inserted) return it->second;
    Seen& s = it->second;
    if (!may_exist(seen, path)) return s;
    struct stat st {};
    s.ok = ::lstat(path.c_str(), &st) == 0;
    s.mode = st.st_mode;
    if (s.ok && S_ISLNK(s.mode)) {
        char buf[PATH_MAX];
        const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
        if (n > 0) s.link.assign(buf, static_cast<std::size_t>(n));
    }
    return s;
}

// Below the workspace the user named, which is trusted as given: the walk
// starts from its resolved form.
bool in_trusted(const std::string& path, const std::string& trusted_prefix,
                const std::string& trusted_resolved) {
    return !trusted_prefix.empty() && !trusted_resolved.empty() &&
           policy::is_same_or_under(path, trusted_prefix);
}

PathFact observe_path_in(SeenPaths& seen, const std::string& path, const std::string& trusted_prefix,
                         const std::string& trusted_resolved) {
    PathFact f;
    // Components still to walk, last first (so links can push theirs on top).
    std::vector<std::string> todo;
    auto push_components = [&todo](const std::string& text) {
        const std::vector<std::string> parts = path_components(text);
        todo.insert(todo.end(), parts.rbegin(), parts.rend());
    };
    std::string current;  // fully resolved so far; "" is "/"
    if (in_trusted(path, trusted_prefix, trusted_resolved)) {
        // The workspace the user named is trusted as given: resolve it once
        // (realpath) and walk only what lies below it.
        current = trusted_resolved == "/" ? "" : trusted_resolved;
        push_components(path.substr(trusted_prefix.size()));
    } else {
        push_components(path);
    }
    int links_left = 40;  // the kernel's MAXSYMLINKS
    std::string next;     // current + "/" + the next name; its buffer is reused
    mode_t mode = 0;
    {
        const Seen& start = look(seen, current.empty() ? "/" : current);
        if (!start.ok) return f;
        mode = start.mode;
    }
    while (!todo.empty()) {
        const std::string name = std::move(todo.back());
        todo.pop_back();
        if (name == ".") continue;
        if (name == "..") {
            const auto slash = current.rfind('/');
            current = slash == std::string::npos ? "" : current.substr(0, slash);
            continue;
        }
        next.assign(current);
        next += '/';
        next += name;
        const Seen& at = look(seen, next);
        if (!at.ok) return f;
        mode = at.mode;
        if (!S_ISLNK(mode)) {
            if (!todo.empty() && !S_ISDIR(mode)) return f;
            current.swap(next);
            continue;
        }
        if (--links_left < 0) return f;
        if (at.link.empty()) return f;
        std::string target = at.link;
        if (todo.empty() && f.links.empty()) f.link_target = target;
        f.links.push_back(LinkHop{next, target});
        if (target[0] == '/') current.clear();
        push_components(target);
    }
    f.exists = true;
    f.resolved = current.empty() ? "/" : current;
    f.is_dir = S_ISDIR(mode);
    return f;
}

// The directories that hold kListFrom or more of `paths` (as the walk will
// name them: below the workspace, from its resolved form).
std::unordered_set<std::string> crowded_directories(const std::vector<std::string>& paths,
                                                    const std::string& trusted_prefix,
                                                    const std::string& trusted_resolved) {
    std::unordered_map<std::string, std::size_t> below;
    for (const auto& p : paths) {
        std::string walked = p;
        if (in_trusted(p, trusted_prefix, trusted_resolved))
            walked = (trusted_resolved == "/" ? "" : trusted_resolved) + p.substr(trusted_prefix.size());
        const auto slash = walked.rfind('/');
        if (slash == std::string::npos || slash + 1 == walked.size()) continue;
        ++below[slash == 0 ? "/" : walked.substr(0, slash)];
    }
    std::unordered_set<std::string> crowded;
    for (const auto& [dir, n] : below)
        if (n >= kListFrom) crowded.insert(dir);
    return crowded;
}

}  // namespace

PathFact observe_path(const std::string& path, const std::string& trusted_prefix,
                      const std::string& trusted_resolved) {
    SeenPaths seen;
    return observe_path_in(seen, path, trusted_prefix, trusted_resolved);
}

HostFacts gather_host_facts(const policy::ResolvedPolicy& policy, const platform::ExecRequest* request) {
    HostFacts f;
    f.uid = ::getuid();
    f.gid = ::getgid();
    f.landlock_abi = landlock_abi();
    f.user_namespaces = user_namespaces_enabled(f.uid, f.user_namespaces_detail);
    f.seccomp = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
    // One look at the cgroup filesystems serves the memory and pids limits
    // and the supervisor's sweep of stale leaves.
    const CgroupfsView cgroupfs = observe_cgroupfs();
    if (policy.limits.memory_bytes) {
        f.cgroup = detect_cgroup_delegation(cgroupfs.v2_mount, cgroupfs.v2_own);
    } else {
        f.cgroup.reason = "not needed: no memory limit";
    }
    if (policy.limits.processes) {
        f.pids_cgroup = detect_pids_cgroup(cgroupfs);
    } else {
        f.pids_cgroup.reason = "not needed: no process limit";
    }
    f.cgroup_sweep_dirs = cgroup_sweep_dirs(cgroupfs);
    // The workspace is trusted as given; below it, every link is recorded.
    std::string workspace_resolved;
    if (!policy.workspace.empty()) {
        char buf[PATH_MAX];
        if (::realpath(policy.workspace.c_str(), buf) != nullptr) workspace_resolved = buf;
    }
    std::vector<std::string> to_observe;
    for (const auto& r : policy.paths) to_observe.push_back(r.path);
    // [network].unix: the broker also allows a rule's resolved form.
    // Its directory too: a socket is often created after mxc starts.
    for (const auto& u : policy.network.unix_sockets) {
        to_observe.push_back(u.value);
        const auto slash = u.value.rfind('/');
        if (slash != std::string::npos && slash > 0) to_observe.push_back(u.value.substr(0, slash));
    }
    for (const auto& root : policy::writable_area_roots(policy)) to_observe.push_back(root);
    SeenPaths seen;
    seen.to_list = crowded_directories(to_observe, policy.workspace, workspace_resolved);
    for (const auto& p : to_observe) {
        // try_emplace: a path that is both a rule and an area is walked once.
        auto [it, inserted] = f.paths.try_emplace(p);
        if (inserted) it->second = observe_path_in(seen, p, policy.workspace, workspace_resolved);
    }
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) f.environ.emplace_back(*e);
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY) f.nofile_hard = rl.rlim_max;
    for (int fd = 0; fd <= 2 && f.terminal.empty(); ++fd) {
        if (::isatty(fd) == 0) continue;
        char buf[PATH_MAX];
        const std::string link = "/proc/self/fd/" + std::to_string(fd);
        ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
        if (n <= 0) continue;
        std::string path(buf, static_cast<size_t>(n));
        // Only real device paths; "/dev/pts/3 (deleted)" or a terminal
        // from another mount namespace cannot be bound.
        struct stat st {};
        if (path.rfind("/dev/", 0) == 0 && ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode))
            f.terminal = path;
    }
    if (struct sysinfo si{}; ::sysinfo(&si) == 0)
        f.ram_bytes = static_cast<std::uint64_t>(si.totalram) * static_cast<std::uint64_t>(si.mem_unit);
    if (request != nullptr) {
        f.session_id = request->session_id;
        f.cwd = request->cwd;
        f.cwd_fallback = request->cwd_fallback;
    }
    if (f.cwd.empty()) {
        char buf[PATH_MAX];
        if (::getcwd(buf, sizeof buf) != nullptr) f.cwd = buf;
    }
    return f;
}

std::vector<platform::Capability> probe_capabilities() {
    std::vector<platform::Capability> caps;
    const int abi = landlock_abi();
    caps.push_back(
        {"landlock", abi > 0, abi > 0 ? "ABI " + std::to_string(abi) : "not supported by this kernel"});
    std::string detail;
    bool userns = user_namespaces_enabled(::getuid(), detail);
    if (userns) userns = try_unshare(CLONE_NEWUSER, detail);
    caps.push_back({"user_namespaces", userns, detail});
    const int flags = CLONE_NEWUSER;
    bool mnt = userns && try_unshare(flags | CLONE_NEWNS, detail);
    caps.push_back({"mount_namespaces", mnt, userns ? detail : "needs user namespaces"});
    bool pid = userns && try_unshare(flags | CLONE_NEWPID, detail);
    caps.push_back({"pid_namespaces", pid, userns ? detail : "needs user namespaces"});
    bool net = userns && try_unshare(flags | CLONE_NEWNET, detail);
    caps.push_back({"net_namespaces", net, userns ? detail : "needs user namespaces"});
    bool seccomp = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
    caps.push_back({"seccomp", seccomp, seccomp ? "filter mode available" : "not available"});
    const CgroupfsView cgroupfs = observe_cgroupfs();
    CgroupFacts cg = detect_cgroup_delegation(cgroupfs.v2_mount, cgroupfs.v2_own);
    caps.push_back({"cgroup_v2_delegation", cg.delegated,
                    cg.reason + (cg.delegated ? ""
                                              : " (limits.memory falls back to RLIMIT_DATA per process: "
                                                "private writable memory, not address space)")});
    // Which mechanism carries limits.memory here, so a user can tell why a
    // large allocation fails (issue 12: RLIMIT_AS used to kill V8).
    caps.push_back({"memory_limit", true,
                    cg.delegated
                        ? "limits.memory is cgroup v2 memory.max: the whole sandbox, swap off"
                        : "limits.memory is RLIMIT_DATA per process: private writable memory "
                          "(heap, malloc, JIT heaps; address-space reservations are not counted), and the "
                          "supervisor ends a run whose processes together hold more, resident"});
    const PidsCgroupFacts pids = detect_pids_cgroup(cgroupfs);
    const bool pids_ok = !pids.v2_parent.empty() || !pids.v1_parent.empty();
    caps.push_back(
        {"pids_cgroup", pids_ok,
         pids.reason + (pids_ok           ? ""
                        : ::getuid() == 0 ? " (limits.processes cannot bind root: RLIMIT_NPROC exempts uid 0)"
                                          : " (limits.processes falls back to RLIMIT_NPROC)")});
    bool pidfd = has_pidfd();
    caps.push_back({"pidfd", pidfd, pidfd ? "pidfd_open available" : "not available"});
    return caps;
}

}  // namespace mxc::lnx
