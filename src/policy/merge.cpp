#include <algorithm>
#include <map>
#include <numeric>

#include "policy/layer.hpp"

namespace mxc::policy {
namespace {

template <class T>
void override_with(Sourced<T>& target, const std::optional<Sourced<T>>& value) {
    if (value) target = *value;
}

template <class T>
void override_with(std::optional<Sourced<T>>& target, const std::optional<Sourced<T>>& value) {
    if (value) target = value;
}

// Concatenate, keeping the first occurrence of each value: a child repeating
// a parent's rule should not change where `explain` says it came from.
template <class Entry>
void append_unique(std::vector<Entry>& target, const std::vector<Entry>& extra) {
    for (const auto& item : extra) {
        bool seen =
            std::any_of(target.begin(), target.end(), [&](const Entry& t) { return t.value == item.value; });
        if (!seen) target.push_back(item);
    }
}

}  // namespace

void merge_layer(ResolvedPolicy& policy, const Layer& layer) {
    if (layer.agent_id) policy.agent_id = layer.agent_id->value;
    override_with(policy.best_effort, layer.best_effort);

    policy.paths.insert(policy.paths.end(), layer.paths.begin(), layer.paths.end());
    override_with(policy.missing, layer.missing);
    // In order, repeats included: a later "!name" undoes an earlier "name".
    policy.protect.insert(policy.protect.end(), layer.protect.begin(), layer.protect.end());

    override_with(policy.network.mode, layer.net_mode);
    append_unique(policy.network.allow, layer.net_allow);
    append_unique(policy.network.deny, layer.net_deny);
    append_unique(policy.network.unix_sockets, layer.net_unix);

    append_unique(policy.env.pass, layer.env_pass);
    append_unique(policy.env.deny, layer.env_deny);
    for (const auto& [name, value] : layer.env_set) policy.env.set[name] = value;

    override_with(policy.limits.memory_bytes, layer.limits.memory_bytes);
    if (policy.limits.memory_bytes && policy.limits.memory_bytes->value == kUnlimitedBytes)
        policy.limits.memory_bytes.reset();
    override_with(policy.limits.processes, layer.limits.processes);
    override_with(policy.limits.open_files, layer.limits.open_files);
    override_with(policy.limits.file_size_bytes, layer.limits.file_size_bytes);
    override_with(policy.limits.cpu_time, layer.limits.cpu_time);
    override_with(policy.limits.wall_time, layer.limits.wall_time);

    override_with(policy.windows.isolation, layer.win_isolation);
    override_with(policy.windows.desktop, layer.win_desktop);
    override_with(policy.windows.clipboard, layer.win_clipboard);

    append_unique(policy.seccomp.allow, layer.seccomp_allow);

    // The last layer that writes [audit] names the sink: a child profile
    // moves its parent's log rather than adding a second one.
    if (layer.audit) policy.audit = layer.audit;
}

void finish_paths(ResolvedPolicy& policy) {
    // Already finished (sorted, one rule per path): resolve() calls this
    // again after each step that may add rules, and most add none.
    const bool finished = std::adjacent_find(policy.paths.begin(), policy.paths.end(),
                                             [](const PathRule& a, const PathRule& b) {
                                                 return !(a.path < b.path);
                                             }) == policy.paths.end();
    if (finished) return;
    // Sorted by path, as the model promises; rules on one path are folded in
    // the order they were given (a stable sort keeps it), the later winning
    // when it overrides.
    std::vector<std::size_t> order(policy.paths.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return policy.paths[a].path < policy.paths[b].path;
    });
    std::vector<PathRule> out;
    out.reserve(policy.paths.size());
    for (const std::size_t i : order) {
        PathRule& rule = policy.paths[i];
        if (out.empty() || out.back().path != rule.path) {
            out.push_back(std::move(rule));
            continue;
        }
        PathRule& kept = out.back();
        if (overrides(rule.access, kept.access)) {
            kept = std::move(rule);
        } else if (rule.access == Access::Write && kept.access == Access::Write) {
            // A profile's own write rule on ".git" is still pinned.
            kept.protect = kept.protect || rule.protect;
        }
    }
    policy.paths = std::move(out);
}

}  // namespace mxc::policy
