#pragma once
// I2: the user's repositories stay the user's. At launch, GitGuard records
// the exec-capable state of the git repositories a run can write to: what
// `.git` is (directory, `gitdir:` file), and in the git directory (and its
// common directory) config, config.worktree, commondir, gitdir,
// info/attributes, every hook, and the same recursively for modules/* and
// worktrees/*. After the run it compares, restores what changed (never
// following a link: a link planted where a file was is removed), and returns
// one Tamper per undone change. For a repository the run created it reports
// the exec-capable state and leaves it in place.
//
// The interface is plain data plus one class so a Windows port can implement
// the same two calls; this implementation is POSIX (dir fds, *at calls).
#include <sys/types.h>

#include <ctime>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/unique_fd.hpp"
#include "integrity/nofollow_fs.hpp"

namespace mxc::integrity {

// One change a run made that mxc undid, or a finding it reports.
struct Tamper {
    std::string path;    // host path
    std::string what;    // what the run did ("created", "modified (core.fsmonitor)", ...)
    std::string action;  // what mxc did ("removed", "restored", "left in place")
};

// Config keys in a git config file that make git run a command or select
// one (core.fsmonitor, core.hooksPath, filter.<d>.clean, include.path, ...),
// as "section.key" or "section.<sub>.key", in file order. Pure.
std::vector<std::string> exec_capable_keys(const std::string& config_text);

// The last core.hooksPath in a git config file, unquoted; "" if none. Pure.
std::string config_hooks_path(const std::string& config_text);

// Exec-capable state of a git directory (hooks other than *.sample, config
// keys above, commondir, info/attributes), one finding per line. `dirfd` is
// the git directory.
std::vector<std::string> exec_state(int gitdir_fd, int depth = 0);

class GitGuard {
public:
    // Snapshots the repository whose `.git` is at each of `roots` (absolute
    // host directories; missing ones are skipped, and a root without `.git`
    // is only watched for a repository being created there).
    static GitGuard snapshot(const std::vector<std::string>& roots);

    // After the run: compare, restore, report. `tag` names moved-aside
    // objects (e.g. "tamper-<session prefix>").
    std::vector<Tamper> check_and_restore(const std::string& tag);

    // Problems met while taking the snapshot (unreadable files); the launch
    // goes on, but these parts are not guarded.
    [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
    [[nodiscard]] std::size_t repositories() const;

    struct Item;
    struct GitDir;
    struct Repo;
    GitGuard();
    ~GitGuard();
    GitGuard(GitGuard&&) noexcept;
    GitGuard& operator=(GitGuard&&) noexcept;

private:
    void add_repo(const std::string& root, UniqueFd root_fd, int depth, bool checkout,
                  std::set<std::pair<dev_t, ino_t>>& seen);
    void add_hooks_path(Repo& repo, const std::string& root);

    std::vector<Repo> repos_;
    // The user's global git config files (~/.gitconfig, XDG), read once per
    // snapshot: every repository's core.hooksPath starts from them.
    std::vector<std::string> global_config_;
    timespec launch_{};
    std::vector<std::string> errors_;
};

}  // namespace mxc::integrity
