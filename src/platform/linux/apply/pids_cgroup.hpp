#pragma once
// limits.processes through a pids cgroup. The kernel exempts uid 0 from
// RLIMIT_NPROC, so for root callers this is the only process limit that
// binds. Two places can host the per-run cgroup: a cgroup v2 directory whose
// pids controller we may enable for a child (the leaf itself is CgroupLeaf,
// entered with CLONE_INTO_CGROUP), or the cgroup v1 pids hierarchy of hybrid
// hosts (PidsV1Leaf, which init enters itself before its first fork). All
// cgroupfs locations are parameters so the logic is tested on a fake tree.
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// What pids-cgroup detection looks at; observe_cgroupfs() fills it from the
// running host, tests point it at a fake directory tree.
struct CgroupfsView {
    std::string v2_mount;       // where cgroup2 is mounted; "" if it is not
    std::string v2_own;         // our cgroup v2 path ("0::" line of /proc/self/cgroup)
    std::string v1_pids_mount;  // where the v1 pids hierarchy is mounted; "" if it is not
    std::string v1_pids_own;    // our path in it, relative to that mount ("/" = its root)
};

// Our path in the v1 pids hierarchy ("N:pids:/path" line of /proc/self/cgroup); "".
std::string own_v1_pids_path(const std::string& proc_self_cgroup);

// Mount point and mounted root of the cgroup v1 hierarchy holding the pids
// controller, from /proc/self/mountinfo contents; empty strings if none.
struct V1Mount {
    std::string mount_point;
    std::string root;
};
V1Mount v1_pids_mount(const std::string& mountinfo);

// The running host's cgroup filesystems (reads /proc/self/{cgroup,mountinfo}).
CgroupfsView observe_cgroupfs();

// Where a per-run pids cgroup can be created. v2: our own cgroup if the pids
// controller can be enabled for its children, else the hierarchy's real root
// (which the "no internal processes" rule does not bind; root callers only, in
// practice). v1: our own pids cgroup, so the host's limits on it still apply.
PidsCgroupFacts detect_pids_cgroup(const CgroupfsView& view);

// Every place a per-run cgroup of mxc can live on this host (our v2 cgroup,
// the v2 root, our v1 pids cgroup): the supervisor runs remove_stale_leaves()
// on each once per start. A SIGKILLed mxc cannot remove its leaf; its
// processes died with it (parent-death signal), so the leaf is empty and goes
// then.
std::vector<std::string> cgroup_sweep_dirs(const CgroupfsView& view);

// The per-run cgroup in the v1 pids hierarchy; the destructor kills whatever
// is still in it and removes it.
class PidsV1Leaf {
public:
    static Result<PidsV1Leaf> create(const PidsV1Plan& plan);
    PidsV1Leaf(PidsV1Leaf&& other) noexcept;
    PidsV1Leaf& operator=(PidsV1Leaf&&) = delete;
    PidsV1Leaf(const PidsV1Leaf&) = delete;
    PidsV1Leaf& operator=(const PidsV1Leaf&) = delete;
    ~PidsV1Leaf();

    [[nodiscard]] const std::string& path() const { return path_; }
    // The leaf's `tasks` file, opened for init to move itself with "0".
    // Moving the calling thread alone skips the kernel's global threadgroup
    // lock that a write of a pid to cgroup.procs takes (an RCU grace period,
    // 9-19 ms measured here); init is single-threaded and only forks after
    // the move, so everything it creates is inside the limit. The kernel
    // checks the opener's credentials, so init needs no rights of its own.
    [[nodiscard]] Result<UniqueFd> open_tasks() const;
    // The parent cgroup's `tasks` (the caller's own pids cgroup), opened the
    // same way: once the command and everything it started are reaped, init
    // moves itself back through it, so the leaf is empty, and removable,
    // while init is still exiting (pid_init.cpp, empty_namespace).
    [[nodiscard]] Result<UniqueFd> open_parent_tasks() const;
    // Kills remaining members, then removes the directory (retrying briefly
    // while the last processes of a dying pid namespace leave it).
    Status remove();

private:
    explicit PidsV1Leaf(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

}  // namespace mxc::lnx
