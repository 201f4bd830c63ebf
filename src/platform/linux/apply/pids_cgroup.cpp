#include "platform/linux/apply/pids_cgroup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <vector>

#include "common/slurp.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/apply/cgroup.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

bool has_token(const std::string& list, char sep, const std::string& word) {
    std::istringstream in(list);
    std::string w;
    while (std::getline(in, w, sep)) {
        if (w == word) return true;
    }
    return false;
}

std::string join_dir(const std::string& mount, const std::string& rel) {
    return rel == "/" ? mount : mount + rel;
}

// Why `dir` cannot parent a per-run v2 pids cgroup; "" if it can.
std::string v2_unusable(const std::string& dir) {
    if (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0 ||
        ::access((dir + "/cgroup.procs").c_str(), W_OK) != 0) {
        // cgroup.procs: CLONE_INTO_CGROUP needs write access to the common
        // ancestor of our cgroup and the leaf, which is `dir`.
        return dir + " is not writable";
    }
    if (!cgroup_file_lists(dir + "/cgroup.controllers", "pids"))
        return "no pids controller in " + dir + "/cgroup.controllers";
    if (!cgroup_file_lists(dir + "/cgroup.subtree_control", "pids")) {
        // "No internal processes": a non-root cgroup holding processes cannot
        // enable controllers for children. The real root is exempt and is
        // the only cgroup without cgroup.type (a cgroup namespace's root has
        // one, and the rule binds it).
        const bool real_root = ::access((dir + "/cgroup.type").c_str(), F_OK) != 0;
        const std::string procs = slurp(dir + "/cgroup.procs");
        if (!real_root && procs.find_first_not_of(" \n") != std::string::npos)
            return "pids is not in " + dir + "/cgroup.subtree_control and the cgroup holds processes";
    }
    return "";
}

std::string find_cgroup2(const std::string& mountinfo) {
    for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
        struct statfs sf {};
        if (::statfs(candidate, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) return candidate;
    }
    return cgroup2_mount_point(mountinfo);
}

}  // namespace

std::string own_v1_pids_path(const std::string& proc_self_cgroup) {
    std::istringstream in(proc_self_cgroup);
    std::string line;
    while (std::getline(in, line)) {
        // "hierarchy-id:controller,list:path"
        const auto first = line.find(':');
        if (first == std::string::npos) continue;
        const auto second = line.find(':', first + 1);
        if (second == std::string::npos) continue;
        if (has_token(line.substr(first + 1, second - first - 1), ',', "pids"))
            return line.substr(second + 1);
    }
    return "";
}

V1Mount v1_pids_mount(const std::string& mountinfo) {
    // Fields: id parent major:minor root mountpoint options... - fstype source super-options
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream tail(line.substr(dash + 3));
        std::string fstype, source, super;
        tail >> fstype >> source >> super;
        if (fstype != "cgroup" || !has_token(super, ',', "pids")) continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, dev, root, mount_point;
        head >> id >> parent >> dev >> root >> mount_point;
        return V1Mount{mount_point, root};
    }
    return {};
}

CgroupfsView observe_cgroupfs() {
    CgroupfsView view;
    const std::string self = slurp("/proc/self/cgroup");
    const std::string mountinfo = slurp("/proc/self/mountinfo");
    view.v2_mount = find_cgroup2(mountinfo);
    view.v2_own = own_cgroup_path(self);
    const V1Mount v1 = v1_pids_mount(mountinfo);
    const std::string own = own_v1_pids_path(self);
    if (!v1.mount_point.empty() && !own.empty()) {
        view.v1_pids_mount = v1.mount_point;
        // A container may see only a subtree of the hierarchy (root field);
        // /proc/self/cgroup still names the full path.
        if (v1.root == "/" || v1.root.empty()) {
            view.v1_pids_own = own;
        } else if (own == v1.root) {
            view.v1_pids_own.assign(1, '/');  // not = "/": a false -Wrestrict in GCC 12
        } else if (own.rfind(v1.root + "/", 0) == 0) {
            view.v1_pids_own = own.substr(v1.root.size());
        }
    }
    return view;
}

PidsCgroupFacts detect_pids_cgroup(const CgroupfsView& view) {
    PidsCgroupFacts f;
    std::vector<std::string> why;
    if (view.v2_mount.empty()) {
        why.push_back("no cgroup v2 hierarchy");
    } else {
        std::vector<std::string> candidates;
        if (!view.v2_own.empty()) candidates.push_back(join_dir(view.v2_mount, view.v2_own));
        if (candidates.empty() || candidates.front() != view.v2_mount) candidates.push_back(view.v2_mount);
        for (const auto& dir : candidates) {
            std::string r = v2_unusable(dir);
            if (r.empty()) {
                f.v2_parent = dir;
                break;
            }
            why.push_back("cgroup v2: " + r);
        }
    }
    if (view.v1_pids_mount.empty()) {
        why.push_back("no cgroup v1 pids hierarchy");
    } else if (view.v1_pids_own.empty()) {
        why.push_back("cgroup v1 pids: our cgroup is outside the mounted part of " + view.v1_pids_mount);
    } else {
        const std::string dir = join_dir(view.v1_pids_mount, view.v1_pids_own);
        if (::access(dir.c_str(), W_OK) == 0) {
            f.v1_parent = dir;
        } else {
            why.push_back("cgroup v1 pids: " + dir + " is not writable");
        }
    }
    if (!f.v2_parent.empty()) {
        f.reason = "pids cgroup v2 in " + f.v2_parent;
    } else if (!f.v1_parent.empty()) {
        f.reason = "pids cgroup v1 in " + f.v1_parent;
    } else {
        for (const auto& w : why) f.reason += (f.reason.empty() ? "" : "; ") + w;
    }
    return f;
}

std::vector<std::string> cgroup_sweep_dirs(const CgroupfsView& view) {
    std::vector<std::string> dirs;
    if (!view.v2_mount.empty()) {
        if (!view.v2_own.empty() && view.v2_own != "/") dirs.push_back(join_dir(view.v2_mount, view.v2_own));
        dirs.push_back(view.v2_mount);
    }
    if (!view.v1_pids_mount.empty() && !view.v1_pids_own.empty())
        dirs.push_back(join_dir(view.v1_pids_mount, view.v1_pids_own));
    return dirs;
}

Result<PidsV1Leaf> PidsV1Leaf::create(const PidsV1Plan& plan) {
    // Stale leaves in plan.parent were swept at the start of the run
    // (cgroup_sweep_dirs).
    const std::string path = plan.parent + "/" + plan.leaf;
    if (::mkdir(path.c_str(), 0755) != 0) return sys_error("mkdir cgroup", path);
    PidsV1Leaf leaf(path);
    if (auto st = write_cgroup_file(path + "/pids.max", std::to_string(plan.pids_max)); !st)
        return st.error();
    return leaf;
}

PidsV1Leaf::PidsV1Leaf(PidsV1Leaf&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
}

PidsV1Leaf::~PidsV1Leaf() {
    (void)remove();
}

Result<UniqueFd> PidsV1Leaf::open_tasks() const {
    const std::string tasks = path_ + "/tasks";
    UniqueFd fd(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) return sys_error("open", tasks);
    return fd;
}

Result<UniqueFd> PidsV1Leaf::open_parent_tasks() const {
    const std::string tasks = path_.substr(0, path_.rfind('/')) + "/tasks";
    UniqueFd fd(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) return sys_error("open", tasks);
    return fd;
}

Status PidsV1Leaf::remove() {
    if (path_.empty()) return {};
    Status removed = remove_cgroup_leaf(path_);
    path_.clear();
    return removed;
}

}  // namespace mxc::lnx
