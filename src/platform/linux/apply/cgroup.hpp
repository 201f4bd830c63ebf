#pragma once
// cgroup v2 memory and pids limits through a delegated subtree. The cgroupfs location is
// a parameter so the logic is tested against a fake directory tree (this CI
// host's cgroup v2 has no controllers).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

// Our own cgroup v2 path ("/user.slice/...") from the contents of
// /proc/self/cgroup; "" when there is no "0::" line (no cgroup v2).
std::string own_cgroup_path(const std::string& proc_self_cgroup);

// Mount point of the cgroup2 filesystem from /proc/self/mountinfo contents; "".
std::string cgroup2_mount_point(const std::string& mountinfo);

// Is the memory controller usable in a child of our cgroup? `mount_root` is
// where cgroup2 is mounted, `own_path` our cgroup relative to it.
CgroupFacts detect_cgroup_delegation(const std::string& mount_root, const std::string& own_path);

// Removes the empty "mxc-*" directories in `parent` that are at least
// kStaleLeafAgeSeconds old: per-run cgroups of an mxc that was SIGKILLed
// before it could remove them. rmdir of a cgroup succeeds only when it has no
// members, so leaves of live runs stay; the age keeps a leaf that a
// concurrent mxc has just created, and not yet entered, from being taken.
inline constexpr long kStaleLeafAgeSeconds = 10;
void remove_stale_leaves(const std::string& parent);

// The pids of a cgroup.procs text, one per line; parsing stops at the first
// line that is not a number (the kernel writes none).
std::vector<pid_t> parse_cgroup_procs(std::string_view text);

// SIGKILLs every process left in the cgroup `dir` (cgroup.kill where the
// kernel has it, else each pid in cgroup.procs). Does nothing unless `dir` is
// on a real cgroupfs: in a fake tree cgroup.procs is just a file of numbers.
void kill_cgroup_members(const std::string& dir);

// Kills the members of the leaf cgroup `dir`, then removes it, retrying while
// the kernel still counts exiting members (EBUSY). A missing leaf is fine.
Status remove_cgroup_leaf(const std::string& dir);

// Writes `content` to the cgroup interface file `path` (one write(2): the
// kernel takes each write as one value).
Status write_cgroup_file(const std::string& path, const std::string& content);

// True when the whitespace-separated list in `path` (cgroup.controllers,
// cgroup.subtree_control) names `word`.
bool cgroup_file_lists(const std::string& path, const std::string& word);

// The per-run cgroup v2 leaf (memory.max and/or pids.max). Created before the sandbox starts (clone3 puts the
// child straight into it with CLONE_INTO_CGROUP), removed when this object dies.
class CgroupLeaf {
public:
    static Result<CgroupLeaf> create(const CgroupPlan& plan);
    CgroupLeaf(CgroupLeaf&& other) noexcept;
    CgroupLeaf& operator=(CgroupLeaf&&) = delete;
    CgroupLeaf(const CgroupLeaf&) = delete;
    CgroupLeaf& operator=(const CgroupLeaf&) = delete;
    ~CgroupLeaf();

    [[nodiscard]] int dir_fd() const { return dir_.get(); }
    [[nodiscard]] const std::string& path() const { return path_; }
    // Number of OOM kills recorded in memory.events (0 if unreadable).
    [[nodiscard]] std::uint64_t oom_kills() const;
    // Kills what is left in the leaf, then removes the directory; retries
    // briefly because the last processes of a dying pid namespace may still
    // be leaving it.
    Status remove();

private:
    explicit CgroupLeaf(std::string path, UniqueFd dir) : path_(std::move(path)), dir_(std::move(dir)) {}
    std::string path_;
    UniqueFd dir_;
};

}  // namespace mxc::lnx
