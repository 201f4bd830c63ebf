#include "platform/linux/apply/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "common/slurp.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

bool has_word(const std::string& text, const std::string& word) {
    std::istringstream in(text);
    std::string w;
    while (in >> w) {
        if (w == word || w == "+" + word) return true;
    }
    return false;
}

bool on_cgroupfs(const std::string& dir) {
    struct statfs sf {};
    if (::statfs(dir.c_str(), &sf) != 0) return false;
    return sf.f_type == CGROUP2_SUPER_MAGIC || sf.f_type == CGROUP_SUPER_MAGIC;
}

}  // namespace

std::vector<pid_t> parse_cgroup_procs(std::string_view text) {
    std::vector<pid_t> pids;
    const char* at = text.data();
    const char* const end = text.data() + text.size();
    while (at < end) {
        pid_t pid = 0;
        const auto [next, ec] = std::from_chars(at, end, pid);
        if (ec != std::errc() || (next != end && *next != '\n')) break;
        pids.push_back(pid);
        at = next == end ? end : next + 1;
    }
    return pids;
}

Status write_cgroup_file(const std::string& path, const std::string& content) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC | O_CREAT | O_NOFOLLOW, 0644));
    if (!fd.valid()) return sys_error("open", path);
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        return sys_error("write " + content + " to", path);
    }
    return {};
}

bool cgroup_file_lists(const std::string& path, const std::string& word) {
    return has_word(slurp(path), word);
}

void remove_stale_leaves(const std::string& parent) {
    DIR* d = ::opendir(parent.c_str());
    if (d == nullptr) return;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    while (dirent* e = ::readdir(d)) {
        if (std::string(e->d_name).rfind("mxc-", 0) != 0 || e->d_type != DT_DIR) continue;
        const std::string path = parent + "/" + e->d_name;
        // A concurrent mxc's leaf is empty for a moment between its mkdir and
        // the sandbox entering it; only leaves older than that can be stale.
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || now - st.st_mtime < kStaleLeafAgeSeconds) continue;
        (void)::rmdir(path.c_str());
    }
    ::closedir(d);
}

void kill_cgroup_members(const std::string& dir) {
    if (!on_cgroupfs(dir)) return;
    // cgroup.kill (Linux 5.14, v2 only) kills atomically, even a tree that
    // is still forking; no O_CREAT, so a missing file is simply skipped.
    UniqueFd kill_fd(::open((dir + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC));
    if (kill_fd.valid() && ::write(kill_fd.get(), "1", 1) == 1) return;
    // v1: members can only be processes of the sandbox (they entered through
    // init), and after init's death its pid namespace is already being torn
    // down; this catches whatever the kernel has not reaped yet.
    for (int round = 0; round < 3; ++round) {
        bool any = false;
        for (const pid_t pid : parse_cgroup_procs(slurp(dir + "/cgroup.procs"))) {
            if (pid > 1) {
                ::kill(pid, SIGKILL);
                any = true;
            }
        }
        if (!any) return;
    }
}

Status remove_cgroup_leaf(const std::string& dir) {
    // Usually empty by now (init left a v1 leaf before it reported, a v2
    // leaf emptied with the sandbox's pid namespace): one rmdir, which the
    // kernel refuses while a process is still in it.
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    kill_cgroup_members(dir);
    for (int i = 0; i < 50; ++i) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
        if (errno != EBUSY) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return sys_error("rmdir cgroup", dir);
}

std::string own_cgroup_path(const std::string& proc_self_cgroup) {
    std::istringstream in(proc_self_cgroup);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    }
    return "";
}

std::string cgroup2_mount_point(const std::string& mountinfo) {
    // Fields: id parent major:minor root mountpoint options... - fstype source super
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream tail(line.substr(dash + 3));
        std::string fstype;
        tail >> fstype;
        if (fstype != "cgroup2") continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, dev, root, mount_point;
        head >> id >> parent >> dev >> root >> mount_point;
        if (root == "/") return mount_point;
    }
    return "";
}

CgroupFacts detect_cgroup_delegation(const std::string& mount_root, const std::string& own_path) {
    CgroupFacts f;
    if (mount_root.empty() || own_path.empty()) {
        f.reason = "no cgroup v2 hierarchy";
        return f;
    }
    const std::string dir = own_path == "/" ? mount_root : mount_root + own_path;
    f.dir = dir;
    if (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0) {
        f.reason = "not delegated: " + dir + " is not writable";
        return f;
    }
    if (!has_word(slurp(dir + "/cgroup.controllers"), "memory")) {
        f.reason = "not delegated: no memory controller in " + dir + "/cgroup.controllers";
        return f;
    }
    if (!has_word(slurp(dir + "/cgroup.subtree_control"), "memory")) {
        // cgroup v2 forbids enabling controllers for children of a non-root
        // cgroup that itself holds processes ("no internal processes").
        std::string procs = slurp(dir + "/cgroup.procs");
        if (own_path != "/" && procs.find_first_not_of(" \n") != std::string::npos) {
            f.reason = "not delegated: memory is not in " + dir +
                       "/cgroup.subtree_control and the cgroup holds processes";
            return f;
        }
    }
    f.delegated = true;
    f.reason = "delegated: " + dir;
    return f;
}

Result<CgroupLeaf> CgroupLeaf::create(const CgroupPlan& plan) {
    // A previous mxc that was SIGKILLed could not remove its leaf: the
    // supervisor swept plan.parent at the start of the run
    // (cgroup_sweep_dirs).
    // A controller must be enabled in the parent before the leaf has its
    // interface files.
    const std::string subtree = slurp(plan.parent + "/cgroup.subtree_control");
    std::string enable;
    if (plan.memory_max != 0 && !has_word(subtree, "memory")) enable += "+memory";
    if (plan.pids_max != 0 && !has_word(subtree, "pids"))
        enable += std::string(enable.empty() ? "" : " ") + "+pids";
    if (!enable.empty()) MXC_TRY(write_cgroup_file(plan.parent + "/cgroup.subtree_control", enable));
    const std::string path = plan.parent + "/" + plan.leaf;
    if (::mkdir(path.c_str(), 0755) != 0) return sys_error("mkdir cgroup", path);
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        int err = errno;
        ::rmdir(path.c_str());
        return sys_error("open cgroup", path, err);
    }
    CgroupLeaf leaf(path, std::move(dir));
    if (plan.pids_max != 0) {
        if (auto st = write_cgroup_file(path + "/pids.max", std::to_string(plan.pids_max)); !st)
            return st.error();
    }
    if (plan.memory_max != 0) {
        if (auto st = write_cgroup_file(path + "/memory.max", std::to_string(plan.memory_max)); !st)
            return st.error();
        // Swap would let the sandbox exceed its memory budget; OOM kills the
        // whole sandbox rather than one arbitrary process. Both optional.
        (void)write_cgroup_file(path + "/memory.swap.max", "0");
        (void)write_cgroup_file(path + "/memory.oom.group", "1");
    }
    return leaf;
}

CgroupLeaf::CgroupLeaf(CgroupLeaf&& other) noexcept
    : path_(std::move(other.path_)), dir_(std::move(other.dir_)) {
    other.path_.clear();
}

CgroupLeaf::~CgroupLeaf() {
    (void)remove();
}

std::uint64_t CgroupLeaf::oom_kills() const {
    std::istringstream in(slurp(path_ + "/memory.events"));
    std::string key;
    std::uint64_t value = 0;
    while (in >> key >> value) {
        if (key == "oom_kill") return value;
    }
    return 0;
}

Status CgroupLeaf::remove() {
    if (path_.empty()) return {};
    dir_.reset();
    Status removed = remove_cgroup_leaf(path_);
    path_.clear();
    return removed;
}

}  // namespace mxc::lnx
