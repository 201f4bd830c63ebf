#pragma once
// I3: a protected path (a read rule inside a write rule) that does not exist
// at launch is not mounted, so the run could create it: a
// ~/.cargo/config.toml with build.rustc-wrapper, or a symlink to / that a
// later plan would follow. AbsentGuard holds the deepest existing directory
// on the way to each such path open from launch and, after the run, removes
// whatever was created there, following no link.
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "integrity/git_guard.hpp"

namespace mxc::integrity {

struct AbsentPath {
    std::string path;  // the rule path, as shown to the user
    std::string root;  // the write root it lies in, as resolved at launch
    std::string rel;   // path below root ("config.toml", ".git/hooks")
    std::string why;   // the rule and its origin
};

class AbsentGuard {
public:
    // Paths found to exist at launch after all (a race with the plan) are
    // not watched: the mounts made them read-only.
    static AbsentGuard watch(const std::vector<AbsentPath>& paths);
    std::vector<Tamper> check_and_remove();

    // Paths that are not watched, with the reason (for the audit warnings).
    [[nodiscard]] const std::vector<std::string>& skipped() const { return skipped_; }

    struct Watch {
        AbsentPath path;
        int root = -1;                   // the write root, held from launch (in roots_)
        std::vector<std::string> parts;  // components below it; the last is the protected name
    };

private:
    std::vector<UniqueFd> roots_;  // each write root once, shared by its watches
    std::vector<Watch> watches_;
    std::vector<std::string> skipped_;
};

}  // namespace mxc::integrity
