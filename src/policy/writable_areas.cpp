#include "policy/writable_areas.hpp"

#include <algorithm>

namespace mxc::policy {

std::vector<std::string> writable_area_roots(const ResolvedPolicy& policy) {
    std::vector<std::string> roots;
    auto add = [&](std::string path) {
        if (path.empty() || std::find(roots.begin(), roots.end(), path) != roots.end()) return;
        roots.push_back(std::move(path));
    };
    add(policy.workspace);
    for (const auto& rule : policy.paths) {
        if (rule.access == Access::Write) add(rule.path);
    }
    if (!policy.home.empty()) {
        const std::string home = policy.home == "/" ? "" : policy.home;
        for (std::string_view dir : kBuiltinWritableHomeDirs) add(home + "/" + std::string(dir));
    }
    for (std::string_view dir : kSharedTempDirs) add(std::string(dir));
    return roots;
}

std::optional<std::string> writable_area_containing(std::string_view path,
                                                    const std::vector<std::string>& roots) {
    for (const auto& root : roots) {
        if (root == "/") return root;
        if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) continue;
        if (path.size() == root.size() || path[root.size()] == '/') return root;
    }
    return std::nullopt;
}

}  // namespace mxc::policy
