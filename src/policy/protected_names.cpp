#include "policy/protected_names.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

#include "policy/paths.hpp"
#include "policy/writable_areas.hpp"

namespace mxc::policy {
namespace {

struct ActiveName {
    std::string name;
    Origin origin;
    std::string why;
};

std::vector<ActiveName> active_names(const ResolvedPolicy& policy) {
    std::vector<ActiveName> names;
    for (const auto& n : kBuiltinProtectedNames) {
        names.push_back(
            {std::string(n.name), Origin{"protected names (built-in)", 0, 0, {}}, std::string(n.why)});
    }
    for (const auto& entry : policy.protect) {
        const std::string& v = entry.value;
        if (v == "!*") {
            names.clear();
        } else if (!v.empty() && v[0] == '!') {
            const std::string name = v.substr(1);
            names.erase(std::remove_if(names.begin(), names.end(),
                                       [&](const ActiveName& a) { return a.name == name; }),
                        names.end());
        } else if (std::none_of(names.begin(), names.end(),
                                [&](const ActiveName& a) { return a.name == v; })) {
            names.push_back({v, entry.origin, "[filesystem].protect"});
        }
    }
    return names;
}

}  // namespace

std::optional<std::string> protected_name_error(std::string_view entry) {
    if (entry == "!*") return std::nullopt;
    if (!entry.empty() && entry[0] == '!') entry.remove_prefix(1);
    if (entry.empty()) return "empty name";
    if (entry[0] == '/' || entry[0] == '~' || entry[0] == '\\') return "must be relative to each write rule";
    if (entry.find('{') != std::string_view::npos) return "variables are not allowed here";
    if (entry.find('\\') != std::string_view::npos) return "use / as the separator";
    std::size_t pos = 0;
    while (pos <= entry.size()) {
        std::size_t slash = entry.find('/', pos);
        if (slash == std::string_view::npos) slash = entry.size();
        const std::string_view part = entry.substr(pos, slash - pos);
        if (part.empty() || part == "." || part == "..")
            return "empty, \".\" and \"..\" components are not allowed";
        if (part.find('*') != std::string_view::npos) return "globs are not supported";
        pos = slash + 1;
    }
    return std::nullopt;
}

void add_protected_names(ResolvedPolicy& policy) {
    const std::vector<ActiveName> names = active_names(policy);
    if (names.empty()) return;
    std::vector<std::string> skip;  // where host tools do not look for these names
    if (!policy.tmp.empty()) skip.push_back(policy.tmp);
    if (!policy.home.empty()) {
        for (std::string_view dir : kBuiltinWritableHomeDirs) {
            skip.push_back((policy.home == "/" ? "" : policy.home) + "/" + std::string(dir));
        }
    }
    // The final access of every path: precedence has been applied, so a
    // parent's write rule that a child profile made read-only is read here.
    std::map<std::string, Access> final_access;
    for (const auto& rule : policy.paths) final_access.emplace(rule.path, rule.access);
    // The access the most specific rule gives `path` (itself or an ancestor).
    auto access_of = [&](std::string path) -> std::optional<Access> {
        while (true) {
            if (auto it = final_access.find(path); it != final_access.end()) return it->second;
            if (path.size() <= 1) return std::nullopt;
            const auto slash = path.rfind('/');
            path.resize(slash == 0 ? 1 : slash);
        }
    };
    std::vector<PathRule> added;
    for (const auto& entry : final_access) {
        if (entry.second != Access::Write) continue;
        const std::string& root = entry.first;
        if (std::any_of(skip.begin(), skip.end(),
                        [&](const std::string& s) { return is_same_or_under(root, s); }))
            continue;
        const std::string base = root == "/" ? "" : root;
        for (const auto& n : names) {
            std::string path = base;
            path += '/';
            path += n.name;
            // Only where the run could write: a protected name must never
            // expose or unlock what a more specific read or deny rule covers
            // (a deny on {workspace}/.claude hides .claude/settings.json too).
            if (access_of(path) != Access::Write) continue;
            Origin origin = n.origin;
            if (origin.line == 0) origin.file += ": " + n.why;
            const Access protect_access = n.name == ".git" ? Access::Write : Access::Read;
            added.push_back(PathRule{std::move(path), protect_access, origin, true});
        }
    }
    policy.paths.insert(policy.paths.end(), std::make_move_iterator(added.begin()),
                        std::make_move_iterator(added.end()));
}

}  // namespace mxc::policy
