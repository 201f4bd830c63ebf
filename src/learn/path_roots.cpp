#include "learn/path_roots.hpp"

#include <string_view>

#include "policy/paths.hpp"

namespace mxc::learn {
namespace {

using policy::is_same_or_under;
using policy::is_under;

// Shared system directories below a top-level one. Each holds the state of
// many unrelated programs; `tool`: its children are package or tool
// directories (collapsed whole), else data (collapsed only as far as used).
struct SharedDir {
    std::string_view path;
    bool tool_children;
};
constexpr SharedDir kSystemShared[] = {
    {"/var/lib", true},         {"/var/cache", true},     {"/var/log", true},   {"/var/spool", false},
    {"/usr/share", true},       {"/usr/lib", true},       {"/usr/lib64", true}, {"/usr/local", true},
    {"/usr/local/share", true}, {"/usr/local/lib", true}, {"/run/user", false}, {"/nix/store", true},
};
// Top-level directories whose children are packages or tools.
constexpr std::string_view kToolTopLevel[] = {"/opt", "/etc", "/usr", "/nix", "/snap"};

// Relative to home: directories shared by many tools (their children are tool
// directories whatever their name).
constexpr std::string_view kHomeShared[] = {
    ".config", ".cache", ".local", ".local/share", ".local/state", ".local/lib", ".var", ".var/app", "snap",
};

std::string join(const std::string& dir, std::string_view name) {
    return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

bool is_top_level(const std::string& path) {
    return path.size() > 1 && path.find('/', 1) == std::string::npos;
}

// The shared directory `dir` (a parent of a root): do its children collapse whole?
bool tool_children(const std::string& dir, const std::string& child, const PathAreas& areas) {
    if (!areas.home.empty() && dir == areas.home) {
        // ~/.rustup is a tool's; ~/data, ~/src are the user's.
        const std::string_view name = std::string_view(child).substr(dir == "/" ? 1 : dir.size() + 1);
        return !name.empty() && name[0] == '.';
    }
    if (!areas.home.empty()) {
        for (std::string_view rel : kHomeShared) {
            if (dir == join(areas.home, rel)) return true;
        }
    }
    for (const auto& s : kSystemShared) {
        if (dir == s.path) return s.tool_children;
    }
    for (std::string_view top : kToolTopLevel) {
        if (dir == top) return true;
    }
    return false;
}

}  // namespace

std::string parent_path(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return path.substr(0, slash);
}

bool is_shared_dir(const std::string& path, const PathAreas& areas) {
    if (path == "/" || is_top_level(path)) return true;
    for (const auto& s : kSystemShared) {
        if (path == s.path) return true;
    }
    if (!areas.home.empty()) {
        if (is_same_or_under(areas.home, path)) return true;  // home and its parents
        for (std::string_view rel : kHomeShared) {
            if (path == join(areas.home, rel)) return true;
        }
    }
    // The workspace's parents; the workspace itself is a data root.
    return !areas.workspace.empty() && is_under(areas.workspace, path);
}

std::optional<PathRoot> root_of(const std::string& path, const PathAreas& areas) {
    if (is_shared_dir(path, areas)) return std::nullopt;
    // Climb until the parent is shared: that child is the root.
    std::string child = path;
    std::string dir = parent_path(child);
    while (!is_shared_dir(dir, areas)) {
        child = dir;
        dir = parent_path(child);
    }
    PathRoot root{child, tool_children(dir, child, areas)};
    if (!areas.workspace.empty() && child == areas.workspace) root.tool = false;
    return root;
}

std::string profile_path(const std::string& path, const PathAreas& areas) {
    auto rebase = [&](const std::string& dir, const char* var) {
        return std::string(var) + path.substr(dir == "/" ? 0 : dir.size());
    };
    if (!areas.workspace.empty() && areas.workspace != areas.home && is_same_or_under(path, areas.workspace))
        return rebase(areas.workspace, "{workspace}");
    if (!areas.home.empty() && areas.home != "/" && is_same_or_under(path, areas.home))
        return rebase(areas.home, "~");
    return path;
}

}  // namespace mxc::learn
