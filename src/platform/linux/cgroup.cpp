#include "platform/linux/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

#include "platform/linux/sys_error.hpp"

namespace mxc::lnx {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool has_word(const std::string& text, const std::string& word) {
    std::istringstream in(text);
    std::string w;
    while (in >> w) {
        if (w == word || w == "+" + word) return true;
    }
    return false;
}

Status write_file(const std::string& path, const std::string& content) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC | O_CREAT, 0644));
    if (!fd.valid()) return sys_error("open", path);
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        return sys_error("write " + content + " to", path);
    }
    return {};
}

}  // namespace

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
    // A previous mxc that was SIGKILLed could not remove its leaf. Empty
    // cgroups rmdir fine; ones still in use fail with EBUSY and stay.
    if (DIR* d = ::opendir(plan.parent.c_str())) {
        while (dirent* e = ::readdir(d)) {
            if (std::string(e->d_name).rfind("mxc-", 0) == 0 && e->d_type == DT_DIR) {
                (void)::rmdir((plan.parent + "/" + e->d_name).c_str());
            }
        }
        ::closedir(d);
    }
    if (!has_word(slurp(plan.parent + "/cgroup.subtree_control"), "memory")) {
        MXC_TRY(write_file(plan.parent + "/cgroup.subtree_control", "+memory"));
    }
    const std::string path = plan.parent + "/" + plan.leaf;
    if (::mkdir(path.c_str(), 0755) != 0) return sys_error("mkdir cgroup", path);
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        int err = errno;
        ::rmdir(path.c_str());
        return sys_error("open cgroup", path, err);
    }
    CgroupLeaf leaf(path, std::move(dir));
    if (auto st = write_file(path + "/memory.max", std::to_string(plan.memory_max)); !st) return st.error();
    // Swap would let the sandbox exceed its memory budget; OOM kills the whole
    // sandbox rather than one arbitrary process. Both files are optional.
    (void)write_file(path + "/memory.swap.max", "0");
    (void)write_file(path + "/memory.oom.group", "1");
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
    for (int i = 0; i < 50; ++i) {
        if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) {
            path_.clear();
            return {};
        }
        if (errno != EBUSY) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Error e = sys_error("rmdir cgroup", path_);
    path_.clear();
    return e;
}

}  // namespace mxc::lnx
