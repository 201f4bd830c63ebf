#include "learn/fs_suggest.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "learn/path_roots.hpp"
#include "learn/toml_text.hpp"
#include "policy/paths.hpp"
#include "policy/protected_names.hpp"

namespace mxc::learn {
namespace {

using policy::Access;
using policy::is_same_or_under;
using policy::is_under;
using policy::PathRule;

// The sandbox provides these itself (fresh /proc, minimal /dev: docs/design.md,
// Enforcement): never a rule for them.
constexpr std::string_view kSandboxProvided[] = {"/proc", "/dev"};
// Private and empty in every run (/tmp, /dev/shm, {tmp}): a write there
// needs no rule. A read there does, when the file was there before the run.
constexpr std::string_view kPrivateTemp[] = {"/tmp", "/dev/shm"};

// The base profile's rules, asked the questions the suggestion needs.
class BaseRules {
public:
    explicit BaseRules(const policy::ResolvedPolicy& base) : base_(base) {
        for (const auto& r : base.paths) by_path_.emplace(r.path, &r);
    }

    // The most specific rule at or above `path` (the one that decides).
    [[nodiscard]] const PathRule* deciding(const std::string& path) const {
        for (std::string p = path;; p = parent_path(p)) {
            if (auto it = by_path_.find(p); it != by_path_.end()) return it->second;
            if (p == "/") return nullptr;
        }
    }

    [[nodiscard]] bool denied(const std::string& path) const {
        return std::any_of(base_.paths.begin(), base_.paths.end(), [&](const PathRule& r) {
            return r.access == Access::Deny && is_same_or_under(path, r.path);
        });
    }

    // A rule on `dir` would cover a deny rule of the base: too wide.
    [[nodiscard]] bool holds_deny(const std::string& dir) const {
        return std::any_of(base_.paths.begin(), base_.paths.end(), [&](const PathRule& r) {
            return r.access == Access::Deny && is_same_or_under(r.path, dir);
        });
    }

    // A read rule the base put inside its own writable area on purpose (a
    // protected name, or coding-agent's ~/.cargo/bin under ~/.cargo).
    [[nodiscard]] bool read_only_carve_out(const PathRule& r) const {
        if (r.access != Access::Read) return false;
        if (r.protect) return true;
        return std::any_of(base_.paths.begin(), base_.paths.end(), [&](const PathRule& w) {
            return w.access == Access::Write && is_under(r.path, w.path);
        });
    }

    [[nodiscard]] const policy::ResolvedPolicy& policy() const { return base_; }

private:
    const policy::ResolvedPolicy& base_;
    std::map<std::string, const PathRule*> by_path_;
};

bool under_any(const std::string& path, const std::string_view* dirs, std::size_t n) {
    return std::any_of(dirs, dirs + n, [&](std::string_view d) { return is_same_or_under(path, d); });
}

bool sandbox_provided(const std::string& path) {
    return under_any(path, std::begin(kSandboxProvided), std::size(kSandboxProvided));
}

// A write into the sandbox's private temp dirs needs no rule, unless the
// path is one the sandbox shows from the host there: home or the workspace
// inside /tmp, or a base rule below the temp dir.
bool private_temp(const std::string& path, const policy::ResolvedPolicy& base, const PathRule* deciding) {
    std::vector<std::string_view> temps(std::begin(kPrivateTemp), std::end(kPrivateTemp));
    if (!base.tmp.empty()) temps.emplace_back(base.tmp);
    for (std::string_view t : temps) {
        if (!is_same_or_under(path, t)) continue;
        const bool shown_from_host = (!base.home.empty() && is_same_or_under(path, base.home)) ||
                                     (!base.workspace.empty() && is_same_or_under(path, base.workspace)) ||
                                     (deciding != nullptr && is_under(deciding->path, t));
        return !shown_from_host || (deciding != nullptr && deciding->path == base.tmp);
    }
    return false;
}

// Files host tools run or obey, anchored at home and the workspace. A write
// rule on one (or on a directory above one that is not the anchor itself,
// where exec's protected names would not reach it) would let a run plant
// code the user's own tools execute later (docs/design.md, Boundary
// integrity). ".git" is not among them: commits are ordinary work.
std::vector<std::string> protected_paths(const policy::ResolvedPolicy& base) {
    std::vector<std::string> out;
    for (const auto& anchor : {base.home, base.workspace}) {
        if (anchor.empty()) continue;
        for (const auto& p : policy::kBuiltinProtectedNames) {
            if (p.name == ".git") continue;
            out.push_back((anchor == "/" ? "" : anchor) + "/" + std::string(p.name));
        }
    }
    return out;
}

struct Recorded {
    std::set<std::string> programs;
};
using PathMap = std::map<std::string, Recorded>;

// Distinct recorded paths strictly below `dir`.
std::size_t count_below(const PathMap& paths, const std::string& dir) {
    const std::string prefix = dir == "/" ? "/" : dir + "/";
    std::size_t n = 0;
    for (auto it = paths.lower_bound(prefix);
         it != paths.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
        ++n;
    return n;
}

// The child of `dir` on the way down to `path` (`path` below `dir`).
std::string step_toward(const std::string& dir, const std::string& path) {
    const std::size_t from = dir == "/" ? 1 : dir.size() + 1;
    const std::size_t slash = path.find('/', from);
    return slash == std::string::npos ? path : path.substr(0, slash);
}

std::vector<std::string> sorted(const std::set<std::string>& s) {
    return {s.begin(), s.end()};
}

class Collapser {
public:
    Collapser(const SuggestInput& in, const BaseRules& base, Suggestion& out)
        : in_(in),
          base_(base),
          out_(out),
          areas_{in.base->workspace, in.base->home},
          protected_(protected_paths(*in.base)) {}

    // `paths`: recorded paths that need a rule of this class. Returns the
    // rules, one per collapsed directory, programs merged.
    std::map<std::string, PathNeed> collapse(const PathMap& paths, bool write) {
        std::map<std::string, PathNeed> needs;
        for (const auto& [path, rec] : paths) {
            auto target = rule_path(paths, path, write);
            if (!target) continue;
            auto& need = needs[*target];
            need.path = *target;
            for (const auto& p : rec.programs) add_unique(need.programs, p);
            ++need.observed;
        }
        // A rule inside another of the same class adds nothing.
        for (auto it = needs.begin(); it != needs.end();) {
            const bool inside = std::any_of(needs.begin(), needs.end(), [&](const auto& other) {
                return other.first != it->first && is_under(it->first, other.first);
            });
            if (inside) {
                auto& outer = needs[covering(needs, it->first)];
                for (const auto& p : it->second.programs) add_unique(outer.programs, p);
                outer.observed += it->second.observed;
                it = needs.erase(it);
            } else {
                ++it;
            }
        }
        for (auto it = needs.begin(); it != needs.end();) {
            it->second.rule = profile_path(it->first, areas_);
            std::sort(it->second.programs.begin(), it->second.programs.end());
            if (!representable_in_profile(it->second.rule)) {
                refuse(
                    out_.not_learned, it->first,
                    "its name cannot be written in a profile (invalid UTF-8, a control character or a brace)",
                    it->second.programs);
                it = needs.erase(it);
            } else {
                ++it;
            }
        }
        return needs;
    }

    void refuse(std::vector<PathRefusal>& list, const std::string& path, const std::string& why,
                const std::vector<std::string>& programs) {
        const std::string shown = profile_path(path, areas_);
        for (auto& r : list) {
            if (r.path == shown) {
                for (const auto& p : programs) add_unique(r.programs, p);
                return;
            }
        }
        list.push_back(PathRefusal{shown, why, programs});
    }

    // Write rules must not reach a protected file except through the
    // workspace itself: exec protects the names below every write rule
    // relative to that rule, so ~/.claude/settings.json is protected under a
    // write rule on ~, never under one on ~/.claude.
    [[nodiscard]] bool holds_protected(const std::string& dir) const {
        return std::any_of(protected_.begin(), protected_.end(),
                           [&](const std::string& p) { return is_under(p, dir) && dir != areas_.workspace; });
    }

    [[nodiscard]] bool is_protected(const std::string& path) const {
        return std::any_of(protected_.begin(), protected_.end(),
                           [&](const std::string& p) { return is_same_or_under(path, p); });
    }

private:
    static void add_unique(std::vector<std::string>& v, const std::string& s) {
        if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
    }

    static std::string covering(const std::map<std::string, PathNeed>& needs, const std::string& path) {
        std::string best;
        for (const auto& [p, n] : needs) {
            if (is_under(path, p) && (best.empty() || p.size() < best.size())) best = p;
        }
        return best;
    }

    [[nodiscard]] bool too_wide(const std::string& dir, bool write) const {
        return base_.holds_deny(dir) || (write && holds_protected(dir));
    }

    std::optional<std::string> rule_path(const PathMap& paths, const std::string& path, bool write) {
        const auto& programs = sorted(paths.at(path).programs);
        auto root = root_of(path, areas_);
        if (!root) {
            refuse(out_.not_learned, path, "too broad: a rule here would open everything below it", programs);
            return std::nullopt;
        }
        std::string chosen = path;
        if (root->tool) {
            chosen = root->path;
            while (chosen != path && too_wide(chosen, write)) chosen = step_toward(chosen, path);
        } else {
            for (std::string dir = parent_path(path); is_same_or_under(dir, root->path);
                 dir = parent_path(dir)) {
                if (count_below(paths, dir) >= kCollapseThreshold) {
                    if (!too_wide(dir, write)) chosen = dir;
                    break;
                }
            }
        }
        if (write && chosen == path && count_below(paths, path) == 0 && kind(path) == PathKind::Missing) {
            // A new file: a write rule on a missing path is created as a
            // directory before the next run, so the rule goes on its folder.
            const std::string dir = parent_path(path);
            if (is_shared_dir(dir, areas_) || too_wide(dir, true)) {
                refuse(out_.not_learned, path,
                       "a new file directly in a shared directory: a write rule would have to open all of " +
                           profile_path(dir, areas_) + " (create the file before the run instead)",
                       programs);
                return std::nullopt;
            }
            chosen = dir;
        }
        return chosen;
    }

    [[nodiscard]] PathKind kind(const std::string& path) const {
        return in_.kind ? in_.kind(path) : PathKind::Unknown;
    }

    const SuggestInput& in_;
    const BaseRules& base_;
    Suggestion& out_;
    PathAreas areas_;
    std::vector<std::string> protected_;
};

std::vector<PathNeed> values(std::map<std::string, PathNeed>&& m) {
    std::vector<PathNeed> out;
    out.reserve(m.size());
    for (auto& [k, v] : m) out.push_back(std::move(v));
    return out;
}

}  // namespace

bool representable_in_profile(const std::string& rule) {
    if (rule.empty() || !is_plain_utf8(rule)) return false;
    std::size_t body = 0;
    if (rule[0] == '{') body = rule.find('}') + 1;  // the leading variable profile_path() wrote
    return rule.find_first_of("{}", body) == std::string::npos;
}

void suggest_paths(const SuggestInput& in, Suggestion& out) {
    const policy::ResolvedPolicy& policy = *in.base;
    const BaseRules base(policy);
    Collapser collapser(in, base, out);

    PathMap reads;
    PathMap writes;
    for (const auto& f : in.observations->files) {
        if (f.path.empty() || f.path[0] != '/') continue;
        const std::string path = policy::normalize_path(f.path);
        if (sandbox_provided(path)) continue;
        const std::string program = basename_of(f.program);
        if (f.access == FsAccess::Write) {
            if (!private_temp(path, policy, base.deciding(path))) writes[path].programs.insert(program);
        } else if (f.exists) {
            reads[path].programs.insert(program);
        } else if (base.denied(path)) {
            // The learning sandbox hides deny paths, so an attempt on one is
            // a failed lookup: still reported, so the user sees what was kept
            // from the command.
            collapser.refuse(out.denied, path, "denied by the base profile", {program});
        }
        // Any other probe (ENOENT) needs no rule: the command coped without it.
    }
    // A path read but missing on the host now was made by the run itself
    // (the host is unchanged after it): its write, if any, is what counts.
    for (auto it = reads.begin(); it != reads.end();) {
        const bool made_by_run = in.kind && in.kind(it->first) == PathKind::Missing;
        it = made_by_run ? reads.erase(it) : std::next(it);
    }
    // A directory with recorded paths below it was walked through (realpath
    // lstat's every component, a build stats each parent): what was used
    // below it decides, or every stat would widen a rule to its directory.
    for (auto it = reads.begin(); it != reads.end();) {
        const bool walked = count_below(reads, it->first) > 0 || count_below(writes, it->first) > 0;
        it = walked ? reads.erase(it) : std::next(it);
    }
    for (auto it = writes.begin(); it != writes.end();) {
        it = count_below(writes, it->first) > 0 ? writes.erase(it) : std::next(it);
    }

    // Writes first: a write rule also covers the reads below it.
    PathMap need_write;
    for (const auto& [path, rec] : writes) {
        const auto programs = sorted(rec.programs);
        const PathRule* rule = base.deciding(path);
        if (rule != nullptr && rule->access == Access::Write) continue;
        if (base.denied(path)) {
            collapser.refuse(out.denied, path, "denied by the base profile", programs);
        } else if (rule != nullptr && base.read_only_carve_out(*rule)) {
            collapser.refuse(out.not_learned, path,
                             "kept read-only by the base profile (" + rule->origin.describe() + ")",
                             programs);
        } else if (collapser.is_protected(path)) {
            collapser.refuse(out.not_learned, path,
                             "a file the user's own tools run or obey: never learned as writable", programs);
        } else {
            need_write.emplace(path, rec);
        }
    }
    auto write_rules = collapser.collapse(need_write, true);

    PathMap need_read;
    for (const auto& entry : reads) {
        const std::string& path = entry.first;  // captured below: clang < 16 cannot capture a binding
        const Recorded& rec = entry.second;
        const PathRule* rule = base.deciding(path);
        if (rule != nullptr && rule->access != Access::Deny) continue;
        const bool under_learned_write =
            std::any_of(write_rules.begin(), write_rules.end(),
                        [&](const auto& w) { return is_same_or_under(path, w.first); });
        if (under_learned_write) continue;
        if (base.denied(path)) {
            collapser.refuse(out.denied, path, "denied by the base profile", sorted(rec.programs));
        } else {
            need_read.emplace(path, rec);
        }
    }
    auto read_rules = collapser.collapse(need_read, false);
    for (auto it = read_rules.begin(); it != read_rules.end();) {
        const bool covered = std::any_of(write_rules.begin(), write_rules.end(),
                                         [&](const auto& w) { return is_same_or_under(it->first, w.first); });
        it = covered ? read_rules.erase(it) : std::next(it);
    }
    out.read = values(std::move(read_rules));
    out.write = values(std::move(write_rules));

    std::set<std::string> layer;
    const PathAreas areas{policy.workspace, policy.home};
    for (const auto& p : in.observations->written_to_layer) {
        if (policy::is_absolute_path(p)) layer.insert(profile_path(policy::normalize_path(p), areas));
    }
    out.layer.assign(layer.begin(), layer.end());
}

}  // namespace mxc::learn
