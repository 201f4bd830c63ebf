#include "policy/tls_trust.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>
#include <vector>

#include "policy/env_glob.hpp"
#include "policy/paths.hpp"

namespace mxc::policy {
namespace {

bool matches_any(const std::vector<Sourced<std::string>>& globs, std::string_view name) {
    return std::any_of(globs.begin(), globs.end(),
                       [&](const auto& g) { return env_glob_match(g.value, name); });
}

// What the shell would see: the variable comes from the caller only when
// [env] passes it and no deny glob or explicit `set` replaces it.
bool passed_from_caller(const EnvRules& env, std::string_view name) {
    if (!matches_any(env.pass, name) || matches_any(env.deny, name)) return false;
    return std::none_of(env.set.begin(), env.set.end(),
                        [&](const auto& s) { return env_glob_match(s.first, name); });
}

// Windows paths are case-insensitive: "c:/users/u/.ssh/ca.pem" is inside
// a deny rule on "C:/Users/u/.ssh" and must be recognised as such.
std::string path_key(std::string path) {
#ifdef _WIN32
    for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
#endif
    return path;
}

// `path` itself, then each ancestor up to and including the root ("/" or
// "C:/"), most specific first.
std::vector<std::string> self_and_ancestors(std::string path) {
    std::vector<std::string> out{path};
    const std::size_t root_len = path.find('/') + 1;
    while (path.size() > root_len) {
        const auto slash = path.rfind('/');
        path.resize(slash < root_len ? root_len : slash);
        out.push_back(path);
    }
    return out;
}

bool same_or_under(const std::string& path_in, const std::string& dir_in) {
    const std::string path = path_key(path_in);
    const std::string dir = path_key(dir_in);
    if (dir.empty()) return false;
    if (dir.back() == '/') return path.compare(0, dir.size(), dir) == 0;
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// path_key(a) == key, without a copy of `a` where keys are the paths.
bool has_key(const std::string& a, const std::string& key) {
#ifdef _WIN32
    return path_key(a) == key;
#else
    return a == key;
#endif
}

bool covered_by_a_rule(const ResolvedPolicy& policy, const std::string& path) {
    for (const auto& p : self_and_ancestors(path_key(path))) {
        const bool has_rule = std::any_of(policy.paths.begin(), policy.paths.end(),
                                          [&](const PathRule& r) { return has_key(r.path, p); });
        if (has_rule) return true;
    }
    return false;
}

}  // namespace

void add_tls_trust_reads(ResolvedPolicy& policy, const std::map<std::string, std::string>& caller_values) {
    std::vector<PathRule> added;
    for (std::string_view name : kTlsTrustVariables) {
        const auto it = std::find_if(caller_values.begin(), caller_values.end(),
                                     [&](const auto& v) { return env_glob_match(name, v.first); });
        if (it == caller_values.end() || !passed_from_caller(policy.env, it->first)) continue;
        if (!is_absolute_path(it->second)) continue;
        std::string path = normalize_path(it->second);
        if (self_and_ancestors(path).size() == 1) continue;  // the root itself
        if (!policy.home.empty() && same_or_under(policy.home, path)) continue;
        if (covered_by_a_rule(policy, path)) continue;
        if (std::any_of(added.begin(), added.end(),
                        [&](const PathRule& r) { return path_key(r.path) == path_key(path); }))
            continue;
        added.push_back(PathRule{std::move(path), Access::Read,
                                 Origin{"[env] " + it->first + " (TLS trust)", 0, 0, {}}, false});
    }
    policy.paths.insert(policy.paths.end(), std::make_move_iterator(added.begin()),
                        std::make_move_iterator(added.end()));
}

}  // namespace mxc::policy
