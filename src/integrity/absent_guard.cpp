#include "integrity/absent_guard.hpp"

#include <map>
#include <utility>

namespace mxc::integrity {
namespace {

std::vector<std::string> split(const std::string& rel) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= rel.size()) {
        auto slash = rel.find('/', pos);
        if (slash == std::string::npos) slash = rel.size();
        if (slash > pos) parts.push_back(rel.substr(pos, slash - pos));
        pos = slash + 1;
    }
    return parts;
}

}  // namespace

AbsentGuard AbsentGuard::watch(const std::vector<AbsentPath>& paths) {
    AbsentGuard guard;
    // Most paths share a few write roots: open each once, and every watch
    // below it uses that fd (no copy per path).
    std::map<std::string, int> roots;
    for (const auto& p : paths) {
        auto it = roots.find(p.root);
        if (it == roots.end()) {
            UniqueFd opened = open_dir_path(p.root);
            const int fd = opened.get();
            if (opened.valid()) guard.roots_.push_back(std::move(opened));
            it = roots.emplace(p.root, fd).first;
        }
        Watch w{p, it->second, split(p.rel)};
        if (w.root < 0 || w.parts.empty()) {
            guard.skipped_.push_back(p.path + ": its write root " + p.root + " cannot be opened");
            continue;
        }
        // Find the first component missing at launch; every one before it
        // must be a real directory.
        UniqueFd below;
        int dir = w.root;
        std::string shown = p.root;
        std::size_t missing = 0;
        bool skip = false;
        for (; missing < w.parts.size(); ++missing) {
            const std::string& name = w.parts[missing];
            auto node = observe(dir, name, false);
            if (!node || node->kind == Kind::Absent) break;
            if (missing + 1 == w.parts.size() || node->kind != Kind::Dir) {
                // The path exists after all (the plan raced it), or only
                // through the user's own link (say ~/.config -> dotfiles),
                // which is not followed.
                if (node->kind != Kind::Dir || missing + 1 < w.parts.size()) {
                    std::string message = p.path;
                    message += ": ";
                    message += shown;
                    message += '/';
                    message += name;
                    message +=
                        node->kind == Kind::Symlink ? " is a symlink at launch" : " is present at launch";
                    guard.skipped_.push_back(std::move(message));
                }
                skip = true;
                break;
            }
            below = open_dir(dir, name);
            dir = below.get();
            shown += "/" + name;
            if (dir < 0) {
                skip = true;
                break;
            }
        }
        if (skip) continue;
        // A repository the run creates ({workspace}/.git/hooks when the
        // workspace had no .git) is its own work: GitGuard reports it.
        bool inside_new_repo = false;
        for (std::size_t i = missing; i + 1 < w.parts.size(); ++i) inside_new_repo |= w.parts[i] == ".git";
        if (inside_new_repo) {
            guard.skipped_.push_back(p.path +
                                     ": inside a repository that does not exist yet (reported if created)");
            continue;
        }
        guard.watches_.push_back(std::move(w));
    }
    return guard;
}

std::vector<Tamper> AbsentGuard::check_and_remove() {
    std::vector<Tamper> out;
    for (auto& w : watches_) {
        // From the write root again, not from the deepest directory seen at
        // launch: the run may have renamed that one and rebuilt the path.
        // The root's own fd, not a copy: a dup shares its open directory,
        // so it would see the same directory, at one more system call pair
        // per path. Only the directories below it are opened (no link
        // followed) and owned here.
        UniqueFd below;
        int dir = w.root;
        std::string shown = w.path.root;
        for (std::size_t i = 0; i < w.parts.size() && dir >= 0; ++i) {
            const std::string& name = w.parts[i];
            auto node = observe(dir, name, false);
            if (!node || node->kind == Kind::Absent) break;
            const bool last = i + 1 == w.parts.size();
            if (!last && node->kind == Kind::Dir) {
                below = open_dir(dir, name);
                dir = below.get();
                shown += "/" + name;
                continue;
            }
            // The protected name itself, or a non-directory the run put on
            // the way to it (a link there would redirect the path later).
            std::string path = shown;
            path += '/';
            path += name;
            Tamper t{std::move(path), "", "removed"};
            t.what = std::string(last ? "protected path missing at launch" : "on the way to " + w.path.path) +
                     ", created by the run (" +
                     (node->kind == Kind::Symlink ? "a symlink to " + node->bytes
                                                  : std::string("a ") + to_string(node->kind)) +
                     "); " + w.path.why;
            if (auto st = remove_tree(dir, name); !st) t.action = "NOT removed: " + st.error().message;
            out.push_back(std::move(t));
            break;
        }
    }
    return out;
}

}  // namespace mxc::integrity
