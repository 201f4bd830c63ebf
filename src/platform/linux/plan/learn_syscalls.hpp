#pragma once
// The learning sandbox's observation rules (issue 13; docs/design.md
// "Learning sandbox"), as pure functions so they are unit-tested without a
// sandbox: which system calls name a path, in which argument, and what kind
// of access each one is; how a path the process passed becomes the absolute,
// lexically normalised path recorded; and the bounded set that deduplicates
// what is recorded.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "learn/observations.hpp"

namespace mxc::lnx {

// One path argument of a system call.
struct PathArg {
    int dirfd_arg = -1;  // argument holding the directory fd; -1: relative to the cwd
    int path_arg = 0;    // argument holding the pointer to the path
    learn::FsAccess access = learn::FsAccess::Read;
    // The path may be "" with AT_EMPTY_PATH (the call acts on the fd): not a
    // path access, nothing to record.
    bool may_be_empty = false;
};

// The native system calls the learning filter hands to the supervisor.
std::vector<int> learned_syscalls();

// The path arguments of system call `nr` with arguments `args`. openat2's
// flags live in the caller's memory: `how_flags` is what the supervisor read
// there (0 when unread). Empty for a call that names no path (a NULL path of
// utimensat, or a call that is not in learned_syscalls()).
std::vector<PathArg> path_args(long nr, const std::uint64_t (&args)[6], std::uint64_t how_flags = 0);

// open(2) flags -> access: writing, creating or truncating is a write;
// O_PATH and read-only opens are reads.
learn::FsAccess open_access(std::uint64_t flags);

// `path` as the process named it, made absolute against `base` (its cwd or
// the directory its dirfd names, as /proc shows it) and normalised
// lexically ("." and ".." and repeated slashes removed; ".." at the root
// stays there). "" when it cannot be made absolute (an fd that is no
// directory path, such as "pipe:[12]", or an empty path).
std::string absolute_path(const std::string& base, const std::string& path);

// Paths that are never recorded: the sandbox's own /proc, /dev, /sys and
// /tmp (and {tmp}, `tmp_dir`, when set): they are not the host's.
bool is_unrecorded(const std::string& path, const std::string& tmp_dir);

// Deduplicates observations per (path, access, program) and bounds memory:
// past `cap` distinct entries new ones are counted as dropped.
class ObservationSet {
public:
    explicit ObservationSet(std::size_t cap = 200000) : cap_(cap) {}
    // True when the entry is new (and was kept).
    bool add(const learn::FsObservation& obs);
    // Whether (path, access, program) was seen; `exists_out` receives its flag.
    [[nodiscard]] bool contains(const std::string& path, learn::FsAccess access, const std::string& program,
                                bool* exists_out = nullptr) const;
    // A later look found the path present: it was no probe after all.
    void mark_exists(const std::string& path, learn::FsAccess access, const std::string& program);
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t dropped() const { return dropped_; }
    // In (path, access, program) order.
    [[nodiscard]] std::vector<learn::FsObservation> take();

private:
    using Key = std::tuple<std::string, int, std::string>;
    std::size_t cap_;
    std::size_t dropped_ = 0;
    std::map<Key, bool> entries_;  // -> exists
};

}  // namespace mxc::lnx
