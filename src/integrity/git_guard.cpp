#include "integrity/git_guard.hpp"

#include "integrity/git_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace mxc::integrity {

// One tracked name below a git directory.
struct GitGuard::Item {
    enum class Role {
        Exact,      // a file that must be as it was (or stay absent)
        Tree,       // hooks/: exactly the children it had (each also an Exact item)
        Container,  // modules/, worktrees/: children it had are guarded; new ones are checked
    };
    std::string rel;  // below the git directory, e.g. "hooks/pre-commit", "modules/lib/config"
    Role role = Role::Exact;
    Node expected;
    std::set<std::string> children;  // Tree and Container: names present at launch
};

// A git directory held open from launch: renaming it (or its parents) does
// not change which directory is checked.
struct GitGuard::GitDir {
    std::string path;
    UniqueFd fd;
    std::vector<Item> items;
};

struct GitGuard::Repo {
    std::string root;
    UniqueFd root_fd;
    Node dot_git;  // what {root}/.git was at launch
    std::vector<GitDir> dirs;
    bool checkout = false;           // a submodule checkout, reached through a gitlink of its parent
    std::set<std::string> gitlinks;  // gitlink paths in the index at launch
    // The index file at launch (device, inode), when there was one: the
    // check reads it again only if it is another file or changed since.
    std::optional<std::pair<dev_t, ino_t>> index_id;
};

namespace {

using Item = GitGuard::Item;

constexpr int kMaxDepth = 4;  // modules/a/modules/b/...: deep enough for real trees, bounded
constexpr std::size_t kMaxRepos = 256;
constexpr std::size_t kMaxHooks = 256;
constexpr std::size_t kMaxIndexBytes = 256U << 20;

// "/a/b/../c" -> "/a/c", without asking the filesystem (no link is followed).
std::string lexically_normal(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        auto slash = path.find('/', pos);
        if (slash == std::string::npos) slash = path.size();
        const std::string part = path.substr(pos, slash - pos);
        pos = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

std::string join(const std::string& a, const std::string& sep, const std::string& b) {
    std::string out = a;
    out += sep;
    out += b;
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool is_exec_key(const std::string& section, bool has_sub, const std::string& key, const std::string& value) {
    static const std::set<std::string> kCore = {
        "hookspath", "fsmonitor", "sshcommand", "editor",
        "pager",     "askpass",   "gitproxy",   "alternaterefscommand"};
    if (section == "core") return kCore.count(key) != 0;
    if (section == "include") return key == "path";
    if (section == "includeif") return key == "path";
    if (section == "sequence") return key == "editor";
    if (section == "diff")
        return (!has_sub && key == "external") || (has_sub && (key == "command" || key == "textconv"));
    if (section == "filter") return key == "clean" || key == "smudge" || key == "process";
    if (section == "merge") return has_sub && key == "driver";
    if (section == "credential") return key == "helper";
    if (section == "gpg") return key == "program";
    if (section == "uploadpack") return key == "packobjectshook";
    if (section == "remote") return key == "uploadpack" || key == "receivepack" || key == "vcs";
    if (section == "alias") return !value.empty() && value[0] == '!';
    if (section == "pager") return true;
    if (section == "interactive") return key == "difffilter";
    if (section == "web") return key == "browser";
    if (section == "browser" || section == "man" || section == "difftool" || section == "mergetool")
        return key == "cmd" || key == "path";
    if (section == "protocol") return key == "allow";
    if (section == "url") return key == "insteadof" || key == "pushinsteadof";
    if (section == "submodule") return key == "update" && !value.empty() && value[0] == '!';
    if (section == "extensions") return key == "worktreeconfig";
    return false;
}

Result<Node> observe_rel(int base, const std::string& rel, bool content) {
    const auto slash = rel.rfind('/');
    if (slash == std::string::npos) return observe(base, rel, content);
    UniqueFd parent = open_dir_rel(base, rel.substr(0, slash));
    if (!parent.valid()) return Node{};
    return observe(parent.get(), rel.substr(slash + 1), content);
}

// Directories below a git directory, each opened once per pass (hooks/ holds
// a dozen files: one open, not one per file). Cleared after any restore,
// which may have replaced a directory.
class DirCache {
public:
    explicit DirCache(int base) : base_(base) {}
    // -1 when `rel` is not a real directory now.
    int get(const std::string& rel) {
        if (rel.empty() || rel == ".") return base_;
        auto it = dirs_.find(rel);
        if (it == dirs_.end()) it = dirs_.emplace(rel, open_dir_rel(base_, rel)).first;
        return it->second.get();
    }
    Result<Node> observe_rel(const std::string& rel, bool content) {
        const auto slash = rel.rfind('/');
        if (slash == std::string::npos) return observe(base_, rel, content);
        const int parent = get(rel.substr(0, slash));
        if (parent < 0) return Node{};
        return observe(parent, rel.substr(slash + 1), content);
    }
    void clear() { dirs_.clear(); }

private:
    int base_;
    std::map<std::string, UniqueFd> dirs_;
};

// Opens (creating when `create`) the parent directories of `rel`, replacing
// anything that is not a real directory on the way.
UniqueFd parent_for_restore(int base, const std::string& rel, bool create, std::string& leaf) {
    UniqueFd cur(::fcntl(base, F_DUPFD_CLOEXEC, 0));
    std::size_t pos = 0;
    for (;;) {
        const auto slash = rel.find('/', pos);
        if (slash == std::string::npos) {
            leaf = rel.substr(pos);
            return cur;
        }
        const std::string part = rel.substr(pos, slash - pos);
        pos = slash + 1;
        UniqueFd next = open_dir(cur.get(), part);
        if (!next.valid()) {
            if (!create) return UniqueFd();
            Node dir;
            dir.kind = Kind::Dir;
            dir.mode = 0755;
            dir.uid = ::geteuid();
            dir.gid = ::getegid();
            struct stat st {};
            if (::fstat(cur.get(), &st) == 0) {
                dir.uid = st.st_uid;
                dir.gid = st.st_gid;
            }
            if (!restore_node(cur.get(), part, dir)) return UniqueFd();
            next = open_dir(cur.get(), part);
            if (!next.valid()) return UniqueFd();
        }
        cur = std::move(next);
    }
}

bool is_config_name(const std::string& rel) {
    const auto base = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
    return base == "config" || base == "config.worktree";
}

std::string keys_text(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

std::string describe(const Node& n) {
    if (n.kind == Kind::Symlink) return "a symlink to " + n.bytes;
    return std::string("a ") + to_string(n.kind);
}

bool looks_like_gitdir(int fd) {
    struct stat st {};
    return ::fstatat(fd, "HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
           ::fstatat(fd, "config", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

class Snapshotter {
public:
    Snapshotter(int fd, std::vector<Item>& items, std::vector<std::string>& errors, const std::string& shown)
        : cache_(fd), items_(items), errors_(errors), shown_(shown) {}

    void gitdir(const std::string& prefix, int depth) {
        // info/ first: a link planted in its place (or in it) is removed
        // before info/attributes is compared through it.
        container(prefix + "info", kMaxDepth);
        for (const char* f : {"config", "config.worktree", "commondir", "gitdir", "info/attributes"})
            exact(prefix + f);
        tree(prefix + "hooks");
        if (depth < kMaxDepth) {
            container(prefix + "modules", depth);
            container(prefix + "worktrees", depth);
        }
    }

    // A core.hooksPath directory: exactly the files it had.
    void hooks_dir() { tree("."); }

private:
    bool exact(const std::string& rel) {
        auto node = cache_.observe_rel(rel, true);
        if (!node) {
            errors_.push_back(shown_ + "/" + rel + ": " + node.error().message);
            return false;
        }
        items_.push_back(Item{rel, Item::Role::Exact, std::move(*node), {}});
        return true;
    }

    void tree(const std::string& rel) {
        auto node = cache_.observe_rel(rel, false);
        if (!node) {
            errors_.push_back(shown_ + "/" + rel + ": " + node.error().message);
            return;
        }
        Item item{rel, Item::Role::Tree, *node, {}};
        std::vector<std::string> names;
        if (node->kind == Kind::Dir) {
            if (const int d = cache_.get(rel); d >= 0) names = list_dir(d);
        }
        item.children.insert(names.begin(), names.end());
        items_.push_back(std::move(item));
        for (const auto& n : names) exact(rel == "." ? n : join(rel, "/", n));
    }

    void container(const std::string& rel, int depth) {
        auto node = cache_.observe_rel(rel, false);
        if (!node) {
            errors_.push_back(shown_ + "/" + rel + ": " + node.error().message);
            return;
        }
        Item item{rel, Item::Role::Container, *node, {}};
        std::vector<std::string> names;
        const int d = node->kind == Kind::Dir ? cache_.get(rel) : -1;
        if (d >= 0) names = list_dir(d);
        item.children.insert(names.begin(), names.end());
        items_.push_back(std::move(item));
        for (const auto& n : names) {
            UniqueFd child = open_dir(d, n);
            if (!child.valid()) continue;  // a file in modules/ is not a git directory
            // A submodule named "a/b" lives in modules/a/b: descend until
            // something looks like a git directory.
            if (looks_like_gitdir(child.get())) {
                gitdir(join(rel, "/", n) + "/", depth + 1);
            } else if (depth + 1 < kMaxDepth) {
                container(join(rel, "/", n), depth + 1);
            }
        }
    }

    DirCache cache_;
    std::vector<Item>& items_;
    std::vector<std::string>& errors_;
    const std::string& shown_;
};

// Where a `gitdir: X` file or a commondir file points, made absolute.
std::string pointer_target(const std::string& text, const std::string& base_dir, bool gitdir_prefix) {
    std::string t = text;
    if (gitdir_prefix) {
        if (t.rfind("gitdir:", 0) != 0) return "";
        t = t.substr(7);
    }
    t = trim(t.substr(0, t.find('\n')));
    if (t.empty()) return "";
    if (t[0] != '/') t = base_dir + "/" + t;
    char buf[PATH_MAX];
    // The launch state is the baseline: links the user made on the way to
    // their own git directory are taken as they are at launch, then that
    // directory is held open, so later changes to the path do not matter.
    if (::realpath(t.c_str(), buf) == nullptr) return "";
    return buf;
}

Tamper change(const std::string& path, const Node& expected, const Node& actual, const std::string& rel) {
    Tamper t{path, "", ""};
    if (expected.kind == Kind::Absent) {
        t.what = "created (" + describe(actual) + ")";
        t.action = "removed";
    } else if (actual.kind == Kind::Absent) {
        t.what = std::string("removed (was a ") + to_string(expected.kind) + ")";
        t.action = "restored";
    } else if (actual.kind != expected.kind) {
        t.what = "replaced by " + describe(actual);
        t.action = "removed it without following it, restored the " + std::string(to_string(expected.kind));
    } else if (actual.bytes != expected.bytes) {
        t.what = "modified";
        t.action = "restored";
    } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "mode changed to %04o", static_cast<unsigned>(actual.mode));
        t.what = buf;
        t.action = "restored";
    }
    if (actual.kind == Kind::File && is_config_name(rel)) {
        const auto keys = exec_capable_keys(actual.bytes);
        if (!keys.empty()) t.what += "; it set " + keys_text(keys);
    }
    return t;
}

void check_exact(GitGuard::GitDir& dir, DirCache& cache, const Item& item, std::vector<Tamper>& out) {
    const std::string path = item.rel == "." ? dir.path : dir.path + "/" + item.rel;
    auto actual = cache.observe_rel(item.rel, true);
    if (!actual) {
        // Unreadable now (e.g. grown past the size cap): restore it anyway.
        Node unreadable;
        unreadable.kind = Kind::Other;
        actual = unreadable;
    }
    if (same_content(item.expected, *actual)) return;
    cache.clear();
    Tamper t = change(path, item.expected, *actual, item.rel);
    std::string leaf;
    UniqueFd parent = parent_for_restore(dir.fd.get(), item.rel, item.expected.kind != Kind::Absent, leaf);
    Status st = parent.valid() ? restore_node(parent.get(), leaf, item.expected)
                               : Status(make_error("parent directory is gone"));
    if (!st) t.action = "NOT restored: " + st.error().message;
    out.push_back(std::move(t));
}

// Tree/Container: the directory itself, and children it did not have.
void check_dir(GitGuard::GitDir& dir, DirCache& cache, const Item& item, std::vector<Tamper>& out) {
    const std::string path = item.rel == "." ? dir.path : dir.path + "/" + item.rel;
    auto actual = cache.observe_rel(item.rel, false);
    if (!actual) return;
    if (item.expected.kind == Kind::Dir && actual->kind != Kind::Dir) {
        cache.clear();
        Tamper t = change(path, item.expected, *actual, item.rel);
        std::string leaf;
        UniqueFd parent = parent_for_restore(dir.fd.get(), item.rel, true, leaf);
        Status st = parent.valid() ? restore_node(parent.get(), leaf, item.expected)
                                   : Status(make_error("parent directory is gone"));
        if (!st) t.action = "NOT restored: " + st.error().message;
        out.push_back(std::move(t));
    }
    if (item.expected.kind != Kind::Dir && actual->kind != Kind::Dir) {
        if (actual->kind != Kind::Absent && item.expected.kind == Kind::Absent) {
            // Created as a file or link where git looks for a directory: remove.
            check_exact(dir, cache, Item{item.rel, Item::Role::Exact, item.expected, {}}, out);
        }
        return;
    }
    // Own fd, not the cache's: removals below must not leave a stale cache.
    UniqueFd d = open_dir_rel(dir.fd.get(), item.rel);
    if (!d.valid()) return;
    const std::vector<std::string> names = list_dir(d.get());
    if (std::any_of(names.begin(), names.end(),
                    [&](const std::string& n) { return item.children.count(n) == 0; }))
        cache.clear();
    for (const auto& name : names) {
        if (item.children.count(name) != 0) continue;
        const std::string child_path = join(path, "/", name);
        if (item.role == Item::Role::Tree) {
            auto node = observe(d.get(), name, false);
            Tamper t{child_path, "created (" + (node ? describe(*node) : std::string("?")) + ")", "removed"};
            if (auto st = remove_tree(d.get(), name); !st) t.action = "NOT removed: " + st.error().message;
            out.push_back(std::move(t));
            continue;
        }
        // A new submodule or worktree git directory is the agent's own work
        // (`git submodule add`, `git worktree add`): kept, unless it carries
        // something git would execute.
        std::vector<std::string> found;
        UniqueFd child = open_dir(d.get(), name);
        if (child.valid()) {
            found = exec_state(child.get(), 1);
        } else {
            auto node = observe(d.get(), name, false);
            if (node && node->kind == Kind::Symlink) found.push_back("a symlink to " + node->bytes);
        }
        if (found.empty()) continue;
        std::string what = "created with exec-capable state:";
        for (const auto& f : found) what += " " + f + ";";
        what.pop_back();
        Tamper t{child_path, what, "removed"};
        if (auto st = remove_tree(d.get(), name); !st) t.action = "NOT removed: " + st.error().message;
        out.push_back(std::move(t));
    }
}

// The original .git directory, wherever the run moved it, is put back.
std::string move_back(GitGuard::Repo& repo) {
    if (repo.dirs.empty()) return "the original git directory was not held open";
    const std::string link = "/proc/self/fd/" + std::to_string(repo.dirs.front().fd.get());
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return "cannot find the original .git";
    const std::string now(buf, static_cast<std::size_t>(n));
    if (now.size() > 10 && now.compare(now.size() - 10, 10, " (deleted)") == 0)
        return "the original .git was deleted by the run";
    const auto slash = now.rfind('/');
    if (slash == std::string::npos) return "cannot find the original .git";
    UniqueFd parent = open_dir_path(slash == 0 ? "/" : now.substr(0, slash));
    const std::string base = now.substr(slash + 1);
    struct stat there {};
    struct stat held {};
    if (!parent.valid() || ::fstatat(parent.get(), base.c_str(), &there, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fstat(repo.dirs.front().fd.get(), &held) != 0 || there.st_ino != held.st_ino ||
        there.st_dev != held.st_dev) {
        return "the original .git is now at " + now + " (not moved back: it changed while looking)";
    }
    if (::renameat(parent.get(), base.c_str(), repo.root_fd.get(), ".git") != 0)
        return "the original .git is now at " + now + " (not moved back: " + std::strerror(errno) + ")";
    return "moved the original back from " + now;
}

void check_dot_git(GitGuard::Repo& repo, const std::string& tag, std::vector<Tamper>& out) {
    const std::string path = repo.root + "/.git";
    auto actual = observe(repo.root_fd.get(), ".git", true);
    if (!actual) return;
    const Node& expected = repo.dot_git;
    if (expected.kind == Kind::Absent) {
        if (actual->kind == Kind::Absent) return;
        std::vector<std::string> found;
        if (actual->kind == Kind::Dir) {
            UniqueFd g = open_dir(repo.root_fd.get(), ".git");
            if (g.valid()) found = exec_state(g.get());
        } else if (actual->kind == Kind::File) {
            found.push_back("a .git file: " + trim(actual->bytes.substr(0, actual->bytes.find('\n'))));
        } else {
            found.push_back(describe(*actual));
        }
        // A plain `git init` is ordinary work: only something git would
        // execute is worth a report.
        if (found.empty()) return;
        std::string what = "repository created by the run; exec-capable state:";
        for (const auto& f : found) what += " " + f + ";";
        if (what.back() == ';') what.pop_back();
        if (repo.checkout && !found.empty()) {
            // A submodule checkout: host git status in the parent enters it.
            auto aside = move_aside(repo.root_fd.get(), ".git", tag);
            out.push_back(Tamper{path, what + " (a submodule checkout host git status enters)",
                                 aside ? "moved aside to " + repo.root + "/" + *aside
                                       : "NOT moved aside: " + aside.error().message});
            return;
        }
        out.push_back(Tamper{path, what, "left in place: inspect it before running git there"});
        return;
    }
    if (expected.kind == Kind::Dir) {
        if (actual->kind == Kind::Dir && actual->dev == expected.dev && actual->ino == expected.ino) return;
        Tamper t{path, "", ""};
        if (actual->kind == Kind::Absent) {
            t.what = "moved away or removed";
        } else {
            t.what = "replaced by " + describe(*actual);
            auto aside = move_aside(repo.root_fd.get(), ".git", tag);
            if (!aside) {
                t.action = "NOT moved aside: " + aside.error().message;
                out.push_back(std::move(t));
                return;
            }
            t.action = "moved the planted one to " + repo.root + "/" + *aside + "; ";
        }
        t.action += move_back(repo);
        out.push_back(std::move(t));
        return;
    }
    if (same_content(expected, *actual)) return;
    Tamper t = change(path, expected, *actual, ".git");
    if (actual->kind == Kind::Dir) {
        auto aside = move_aside(repo.root_fd.get(), ".git", tag);
        if (!aside) {
            t.action = "NOT moved aside: " + aside.error().message;
            out.push_back(std::move(t));
            return;
        }
        t.action = "moved the planted directory to " + repo.root + "/" + *aside + ", restored the file";
    }
    if (auto st = restore_node(repo.root_fd.get(), ".git", expected); !st)
        t.action = "NOT restored: " + st.error().message;
    out.push_back(std::move(t));
}

// Gitlink paths in a git directory's index. Only plain relative paths are
// kept: a path with ".." or a leading "/" is not something git checks out.
// `index_id` (when given) receives the file's (device, inode), taken by
// observe() before it read the bytes: a change after that has a newer ctime.
std::vector<std::string> read_gitlinks(int gitdir_fd, std::vector<std::string>& errors,
                                       const std::string& shown,
                                       std::optional<std::pair<dev_t, ino_t>>* index_id = nullptr) {
    auto index = observe(gitdir_fd, "index", true, kMaxIndexBytes);
    if (!index) {
        errors.push_back(shown + "/index: " + index.error().message + " (submodule checkouts not guarded)");
        return {};
    }
    if (index->kind != Kind::File) return {};
    if (index_id != nullptr) *index_id = std::make_pair(index->dev, index->ino);
    auto config = observe(gitdir_fd, "config", true);
    std::vector<std::string> links;
    for (auto& p : index_gitlinks(index->bytes, hash_len_from_config(config ? config->bytes : ""))) {
        if (p.empty() || p[0] == '/' || p == ".." || p.rfind("../", 0) == 0 ||
            p.find("/../") != std::string::npos)
            continue;
        links.push_back(std::move(p));
    }
    return links;
}

// The texts of the user's global git config files that exist (~/.gitconfig,
// then $XDG_CONFIG_HOME or ~/.config /git/config), each opened without
// following links.
std::vector<std::string> global_git_config() {
    std::vector<std::string> texts;
    const char* home = std::getenv("HOME");
    if (home == nullptr || home[0] != '/') return texts;
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    for (const std::string& file :
         {std::string(home) + "/.gitconfig",
          (xdg != nullptr && xdg[0] == '/' ? std::string(xdg) : std::string(home) + "/.config") +
              "/git/config"}) {
        const auto slash = file.rfind('/');
        UniqueFd dir = open_dir_path(file.substr(0, slash));
        if (!dir.valid()) continue;
        if (auto n = observe(dir.get(), file.substr(slash + 1), true); n && n->kind == Kind::File)
            texts.push_back(n->bytes);
    }
    return texts;
}

bool newer(const struct stat& st, const timespec& t) {
    return st.st_ctim.tv_sec > t.tv_sec || (st.st_ctim.tv_sec == t.tv_sec && st.st_ctim.tv_nsec >= t.tv_nsec);
}

// Whether anything git would execute from this git directory changed after
// `t` (inode change times: a run cannot set them back, unlike mtimes).
bool changed_since(int gitdir_fd, const timespec& t) {
    struct stat st {};
    for (const char* f :
         {".", "config", "config.worktree", "commondir", "hooks", "info", "info/attributes"}) {
        if (::fstatat(gitdir_fd, f, &st, AT_SYMLINK_NOFOLLOW) == 0 && newer(st, t)) return true;
    }
    if (UniqueFd hooks = open_dir(gitdir_fd, "hooks"); hooks.valid()) {
        for (const auto& n : list_dir(hooks.get())) {
            if (::fstatat(hooks.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && newer(st, t)) return true;
        }
    }
    return false;
}

// The exec-capable state a `.git` at `name` in `dirfd` would give git: its
// directory's, or for a `gitdir:` file, that of the directory it names
// (resolved lexically, opened without following links).
std::vector<std::string> dot_git_state(int dirfd, const std::string& shown_dir, const timespec& launch,
                                       bool& changed) {
    changed = true;
    struct stat st {};
    if (::fstatat(dirfd, ".git", &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
    const bool entry_changed = newer(st, launch);
    auto node = observe(dirfd, ".git", true);
    if (!node || node->kind == Kind::Absent) return {};
    if (node->kind == Kind::Dir) {
        UniqueFd g = open_dir(dirfd, ".git");
        if (!g.valid()) return {"an unreadable .git"};
        changed = entry_changed || changed_since(g.get(), launch);
        return exec_state(g.get());
    }
    if (node->kind != Kind::File) return {describe(*node)};
    std::string t = node->bytes;
    if (t.rfind("gitdir:", 0) != 0) return {};
    t = trim(t.substr(7, t.find('\n') == std::string::npos ? std::string::npos : t.find('\n') - 7));
    if (t.empty()) return {};
    if (t[0] != '/') t = shown_dir + "/" + t;
    UniqueFd g = open_dir_path(lexically_normal(t));
    if (!g.valid()) return {"a .git file pointing to " + t + " through a link or nowhere"};
    changed = entry_changed || changed_since(g.get(), launch);
    auto found = exec_state(g.get());
    const std::string via = "(via gitdir: " + t + ") ";
    for (auto& f : found) f.insert(0, via);
    return found;
}

void check_new_gitlinks(GitGuard::Repo& repo, const timespec& launch, const std::string& tag,
                        std::vector<Tamper>& out) {
    if (repo.dirs.empty()) return;
    // The same inode, unchanged since launch (a run cannot set a ctime
    // back; writing or replacing the file gives a new ctime or inode): its
    // gitlinks are the ones read at launch, all guarded already. Reading and
    // parsing the index again cost every run in a large repository.
    struct stat st {};
    if (repo.index_id && ::fstatat(repo.dirs.front().fd.get(), "index", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode) && std::make_pair(st.st_dev, st.st_ino) == *repo.index_id && !newer(st, launch))
        return;
    std::vector<std::string> ignored;
    for (const auto& link : read_gitlinks(repo.dirs.front().fd.get(), ignored, repo.dirs.front().path)) {
        if (repo.gitlinks.count(link) != 0) continue;  // guarded as its own repository since launch
        UniqueFd dir = open_dir_rel(repo.root_fd.get(), link);
        if (!dir.valid()) continue;
        const std::string shown = repo.root + "/" + link;
        bool changed = true;
        const auto found = dot_git_state(dir.get(), shown, launch, changed);
        if (found.empty()) continue;
        std::string what =
            "made a submodule checkout by the run (host git status enters it); exec-capable state:";
        for (const auto& f : found) what += " " + f + ";";
        what.pop_back();
        if (!changed) {
            // The user's own nested repository, untouched: only the index
            // entry is new, and its hooks are the user's.
            out.push_back(
                Tamper{shown + "/.git", what + " (unchanged since before the run)", "left in place"});
            continue;
        }
        Tamper t{shown + "/.git", what, ""};
        auto aside = move_aside(dir.get(), ".git", tag);
        t.action =
            aside ? "moved aside to " + shown + "/" + *aside : "NOT moved aside: " + aside.error().message;
        out.push_back(std::move(t));
    }
}
}  // namespace

namespace {

// Calls fn(section, has_sub, sub, key, value) for each entry of a git config
// file: section and key lowercased, [section.sub] subsections too.
template <class Fn>
void for_each_config_entry(const std::string& config_text, Fn fn) {
    std::string section;
    std::string sub;
    bool has_sub = false;
    std::size_t pos = 0;
    while (pos <= config_text.size()) {
        auto nl = config_text.find('\n', pos);
        if (nl == std::string::npos) nl = config_text.size();
        std::string line = trim(config_text.substr(pos, nl - pos));
        pos = nl + 1;
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            const auto close = line.rfind(']');
            std::string head = line.substr(1, close == std::string::npos ? std::string::npos : close - 1);
            const auto quote = head.find('"');
            has_sub = false;
            sub.clear();
            if (quote != std::string::npos) {
                section = lower(trim(head.substr(0, quote)));
                sub = head.substr(quote + 1);
                if (!sub.empty() && sub.back() == '"') sub.pop_back();
                has_sub = true;
            } else if (const auto dot = head.find('.'); dot != std::string::npos) {
                // [section.sub] (deprecated form): the subsection is lowercased.
                section = lower(trim(head.substr(0, dot)));
                sub = lower(trim(head.substr(dot + 1)));
                has_sub = true;
            } else {
                section = lower(trim(head));
            }
            // A key may follow the header on the same line: "[core] fsmonitor = x".
            line = close == std::string::npos ? "" : trim(line.substr(close + 1));
            if (line.empty()) continue;
        }
        const auto eq = line.find('=');
        const std::string key = lower(trim(line.substr(0, eq)));
        const std::string value = eq == std::string::npos ? "" : trim(line.substr(eq + 1));
        if (key.empty() || section.empty()) continue;
        fn(section, has_sub, sub, key, value);
    }
}

}  // namespace

std::vector<std::string> exec_capable_keys(const std::string& config_text) {
    std::vector<std::string> keys;
    for_each_config_entry(config_text, [&](const std::string& section, bool has_sub, const std::string& sub,
                                           const std::string& key, const std::string& value) {
        if (is_exec_key(section, has_sub, key, value))
            keys.push_back(join(has_sub ? join(section, ".", sub) : section, ".", key));
    });
    return keys;
}

std::string config_hooks_path(const std::string& config_text) {
    std::string path;
    for_each_config_entry(config_text, [&](const std::string& section, bool has_sub, const std::string&,
                                           const std::string& key, const std::string& value) {
        if (section != "core" || has_sub || key != "hookspath") return;
        path = value;
        // An inline comment ends the value unless quoted; a quoted value loses its quotes.
        if (path.size() >= 2 && path.front() == '"') {
            const auto close = path.find('"', 1);
            path = path.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        } else if (const auto hash = path.find_first_of("#;"); hash != std::string::npos) {
            path = trim(path.substr(0, hash));
        }
    });
    return path;
}

std::vector<std::string> exec_state(int gitdir_fd, int depth) {
    std::vector<std::string> found;
    if (UniqueFd hooks = open_dir(gitdir_fd, "hooks"); hooks.valid()) {
        for (const auto& n : list_dir(hooks.get())) {
            if (n.size() < 7 || n.compare(n.size() - 7, 7, ".sample") != 0) found.push_back("hook " + n);
        }
    } else if (auto node = observe(gitdir_fd, "hooks", false); node && node->kind == Kind::Symlink) {
        found.push_back("hooks is a symlink to " + node->bytes);
    }
    for (const char* f : {"config", "config.worktree"}) {
        auto node = observe(gitdir_fd, f, true);
        if (!node) continue;
        if (node->kind == Kind::Symlink) found.push_back(std::string(f) + " is a symlink to " + node->bytes);
        for (const auto& k : exec_capable_keys(node->bytes)) found.push_back(std::string(f) + ": " + k);
    }
    if (auto node = observe(gitdir_fd, "commondir", true); node && node->kind != Kind::Absent)
        found.push_back("commondir " + trim(node->bytes));
    if (auto node = observe_rel(gitdir_fd, "info/attributes", false); node && node->kind != Kind::Absent)
        found.push_back("info/attributes");
    if (depth < kMaxDepth) {
        for (const char* c : {"modules", "worktrees"}) {
            UniqueFd d = open_dir(gitdir_fd, c);
            if (!d.valid()) continue;
            for (const auto& n : list_dir(d.get())) {
                UniqueFd child = open_dir(d.get(), n);
                if (!child.valid()) continue;
                for (const auto& f : exec_state(child.get(), depth + 1))
                    found.push_back(join(join(c, "/", n), ": ", f));
            }
        }
    }
    return found;
}

std::size_t GitGuard::repositories() const {
    return repos_.size();
}

GitGuard::GitGuard() = default;
GitGuard::~GitGuard() = default;
GitGuard::GitGuard(GitGuard&&) noexcept = default;
GitGuard& GitGuard::operator=(GitGuard&&) noexcept = default;

GitGuard GitGuard::snapshot(const std::vector<std::string>& roots) {
    GitGuard guard;
    // Taken before anything is read: whatever changes after it has a newer
    // ctime. The kernel stamps inodes from the coarse clock, which lags the
    // fine one by up to a tick, so compare against the coarse clock too.
#ifdef CLOCK_REALTIME_COARSE
    ::clock_gettime(CLOCK_REALTIME_COARSE, &guard.launch_);
#else
    ::clock_gettime(CLOCK_REALTIME, &guard.launch_);
    guard.launch_.tv_sec -= 1;
#endif
    guard.global_config_ = global_git_config();
    std::set<std::pair<dev_t, ino_t>> seen;
    for (const auto& root : roots) guard.add_repo(root, open_dir_path(root), 0, false, seen);
    return guard;
}

void GitGuard::add_repo(const std::string& root, UniqueFd root_fd, int depth, bool checkout,
                        std::set<std::pair<dev_t, ino_t>>& seen) {
    Repo repo;
    repo.root = root;
    repo.root_fd = std::move(root_fd);
    repo.checkout = checkout;
    if (!repo.root_fd.valid()) return;
    struct stat st {};
    if (::fstat(repo.root_fd.get(), &st) != 0 || !seen.insert({st.st_dev, st.st_ino}).second) return;
    auto dot = observe(repo.root_fd.get(), ".git", true);
    if (!dot) {
        errors_.push_back(root + "/.git: " + dot.error().message);
        return;
    }
    repo.dot_git = *dot;
    std::string gitdir_path;
    UniqueFd gitdir;
    if (dot->kind == Kind::Dir) {
        gitdir_path = root + "/.git";
        gitdir = open_dir(repo.root_fd.get(), ".git");
    } else if (dot->kind == Kind::File) {
        gitdir_path = pointer_target(dot->bytes, root, true);
        if (!gitdir_path.empty()) gitdir = open_dir_path(gitdir_path);
    }
    std::vector<std::string> links;
    if (gitdir.valid()) {
        GitDir dir{gitdir_path, std::move(gitdir), {}};
        Snapshotter(dir.fd.get(), dir.items, errors_, dir.path).gitdir("", 0);
        // A linked worktree's or a submodule's commondir holds the hooks
        // and config git actually uses.
        std::string common;
        if (auto c = observe(dir.fd.get(), "commondir", true); c && c->kind == Kind::File)
            common = pointer_target(c->bytes, gitdir_path, false);
        links = read_gitlinks(dir.fd.get(), errors_, dir.path, &repo.index_id);
        repo.dirs.push_back(std::move(dir));
        if (!common.empty()) {
            UniqueFd cfd = open_dir_path(common);
            struct stat a {};
            struct stat b {};
            if (cfd.valid() && ::fstat(cfd.get(), &a) == 0 && ::fstat(repo.dirs.front().fd.get(), &b) == 0 &&
                (a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
                GitDir cdir{common, std::move(cfd), {}};
                Snapshotter(cdir.fd.get(), cdir.items, errors_, cdir.path).gitdir("", 0);
                repo.dirs.push_back(std::move(cdir));
            }
        }
    }
    add_hooks_path(repo, root);
    repo.gitlinks.insert(links.begin(), links.end());
    const UniqueFd parent_fd(::fcntl(repo.root_fd.get(), F_DUPFD_CLOEXEC, 0));
    repos_.push_back(std::move(repo));
    // Submodule checkouts: host `git status` here runs git in each of them.
    if (depth >= kMaxDepth || !parent_fd.valid()) return;
    for (const auto& link : links) {
        if (repos_.size() >= kMaxRepos) {
            errors_.push_back(root + ": more than " + std::to_string(kMaxRepos) +
                              " submodules, the rest unguarded");
            return;
        }
        add_repo(join(root, "/", link), open_dir_rel(parent_fd.get(), link), depth + 1, true, seen);
    }
}

// core.hooksPath moves the hooks out of the git directory, often into the
// work tree itself (husky: .husky/_), where the run can write them. The last
// setting wins: the user's global files first, then the repository's.
void GitGuard::add_hooks_path(Repo& repo, const std::string& root) {
    std::vector<std::string> texts = global_config_;
    for (auto& dir : repo.dirs) {
        for (const char* f : {"config", "config.worktree"}) {
            if (auto n = observe(dir.fd.get(), f, true); n && n->kind == Kind::File)
                texts.push_back(n->bytes);
        }
    }
    std::string hooks;
    for (const auto& t : texts) {
        if (std::string h = config_hooks_path(t); !h.empty()) hooks = h;
    }
    if (hooks.empty()) return;
    if (hooks.rfind("~/", 0) == 0) {
        const char* home = std::getenv("HOME");
        if (home == nullptr || home[0] != '/') return;
        hooks = std::string(home) + hooks.substr(1);
    } else if (hooks[0] != '/') {
        hooks = root + "/" + hooks;  // relative to the top of the work tree
    }
    hooks = lexically_normal(hooks);
    UniqueFd fd = open_dir_path(hooks);
    if (!fd.valid()) {
        // The user's own link on the way (taken as it is at launch).
        char buf[PATH_MAX];
        if (::realpath(hooks.c_str(), buf) != nullptr) fd = open_dir_path(buf);
    }
    if (!fd.valid()) return;  // no such directory: nothing to run, and nothing to compare
    if (list_dir(fd.get()).size() > kMaxHooks) {
        errors_.push_back(hooks + ": more than " + std::to_string(kMaxHooks) +
                          " entries, core.hooksPath not guarded");
        return;
    }
    GitDir dir{hooks, std::move(fd), {}};
    Snapshotter(dir.fd.get(), dir.items, errors_, dir.path).hooks_dir();
    repo.dirs.push_back(std::move(dir));
}

std::vector<Tamper> GitGuard::check_and_restore(const std::string& tag) {
    std::vector<Tamper> out;
    for (auto& repo : repos_) {
        check_dot_git(repo, tag, out);
        check_new_gitlinks(repo, launch_, tag, out);
        for (auto& dir : repo.dirs) {
            DirCache cache(dir.fd.get());
            for (const auto& item : dir.items) {
                if (item.role == Item::Role::Exact)
                    check_exact(dir, cache, item, out);
                else
                    check_dir(dir, cache, item, out);
            }
        }
    }
    return out;
}

}  // namespace mxc::integrity
