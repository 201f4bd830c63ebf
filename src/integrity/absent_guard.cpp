#include "integrity/absent_guard.hpp"

#include <unistd.h>

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
    for (const auto& p : paths) {
        Watch w{p, open_dir_path(p.root), p.root, split(p.rel)};
        if (!w.base.valid() || w.rest.empty()) {
            guard.skipped_.push_back(p.path + ": its write root " + p.root + " cannot be opened");
            continue;
        }
        bool skip = false;
        while (w.rest.size() > 1) {
            auto node = observe(w.base.get(), w.rest.front(), false);
            if (!node || node->kind == Kind::Absent) break;
            if (node->kind != Kind::Dir) {
                // The user's own link (say ~/.config -> dotfiles): the rule
                // path only exists through it, and links are not followed.
                guard.skipped_.push_back(p.path + ": " + w.base_path + "/" + w.rest.front() + " is " +
                                         (node->kind == Kind::Symlink ? "a symlink" : "not a directory") +
                                         " at launch");
                skip = true;
                break;
            }
            w.base = open_dir(w.base.get(), w.rest.front());
            w.base_path += "/" + w.rest.front();
            w.rest.erase(w.rest.begin());
            if (!w.base.valid()) {
                skip = true;
                break;
            }
        }
        if (skip) continue;
        // A repository the run creates ({workspace}/.git/hooks when the
        // workspace had no .git) is its own work: GitGuard reports it.
        bool inside_new_repo = false;
        for (std::size_t i = 0; i + 1 < w.rest.size(); ++i) inside_new_repo |= w.rest[i] == ".git";
        if (inside_new_repo) {
            guard.skipped_.push_back(p.path +
                                     ": inside a repository that does not exist yet (reported if created)");
            continue;
        }
        if (w.rest.size() == 1) {
            auto leaf = observe(w.base.get(), w.rest.front(), false);
            if (leaf && leaf->kind != Kind::Absent) continue;  // exists after all: the plan raced it
        }
        guard.watches_.push_back(std::move(w));
    }
    return guard;
}

std::vector<Tamper> AbsentGuard::check_and_remove() {
    std::vector<Tamper> out;
    for (auto& w : watches_) {
        UniqueFd dir(::dup(w.base.get()));
        std::string shown = w.base_path;
        for (std::size_t i = 0; i < w.rest.size() && dir.valid(); ++i) {
            const std::string& name = w.rest[i];
            auto node = observe(dir.get(), name, false);
            if (!node || node->kind == Kind::Absent) break;
            const bool last = i + 1 == w.rest.size();
            if (!last && node->kind == Kind::Dir) {
                dir = open_dir(dir.get(), name);
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
            if (auto st = remove_tree(dir.get(), name); !st) t.action = "NOT removed: " + st.error().message;
            out.push_back(std::move(t));
            break;
        }
    }
    return out;
}

}  // namespace mxc::integrity
