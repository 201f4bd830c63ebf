#pragma once
// Where a recorded path may be collapsed to (docs/learn.md, "Collapsing"):
// the directories a learned rule must never name because a rule there would
// open far more than the command used, and the *root* of a path below them.
// Pure functions over the workspace and home values of the base policy.
#include <optional>
#include <string>

namespace mxc::learn {

struct PathAreas {
    std::string workspace;  // absolute, normalised ("" = unknown)
    std::string home;       // absolute, normalised ("" = unknown)
};

// True for a directory no learned rule may name: "/", every top-level
// directory, shared system directories (/var/lib, /usr/share, /run/user...),
// the home directory and its parents, the shared directories of home
// (~/.config, ~/.cache, ~/.local, ~/.local/share...), and the workspace's
// parents.
bool is_shared_dir(const std::string& path, const PathAreas& areas);

struct PathRoot {
    std::string path;  // the first directory below the deepest shared directory above the path
    // A tool or package directory (~/.rustup, ~/.config/nvim, /var/lib/dpkg):
    // whatever was used inside it, the rule is the whole root. Otherwise a
    // data root (~/data, {workspace}, /srv/x): only as much as was used.
    bool tool = false;
};

// nullopt when `path` is itself a shared directory.
std::optional<PathRoot> root_of(const std::string& path, const PathAreas& areas);

// The path as a profile writes it: "{workspace}/out", "~/.rustup", "/srv/x".
// The workspace wins over home when it lies inside it (and is not home).
std::string profile_path(const std::string& path, const PathAreas& areas);

// The parent of an absolute normalised path ("/" for "/x" and "/").
std::string parent_path(const std::string& path);

}  // namespace mxc::learn
