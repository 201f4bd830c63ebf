#pragma once
// A Layer is one profile file (or the CLI flags) after validation: values are
// typed, paths expanded. Layers are merged in order, parents first, the CLI
// last: lists concatenate (first occurrence kept), scalars are overridden.
#include <optional>
#include <string>
#include <vector>

#include "policy/model.hpp"

namespace mxc::policy {

struct Layer {
    std::optional<Sourced<std::string>> agent_id;
    std::optional<Sourced<bool>> best_effort;

    std::vector<PathRule> paths;  // as listed, not yet merged by precedence
    std::optional<Sourced<MissingPaths>> missing;
    std::vector<Sourced<std::string>> protect;  // [filesystem].protect entries, in order

    std::optional<Sourced<NetMode>> net_mode;
    std::vector<HostRuleEntry> net_allow;  // parsed and checked
    std::vector<HostRuleEntry> net_deny;
    std::vector<Sourced<std::string>> net_unix;  // expanded, normalised socket paths

    std::vector<Sourced<std::string>> env_pass;
    std::vector<Sourced<std::string>> env_deny;
    std::vector<std::pair<std::string, Sourced<std::string>>> env_set;

    Limits limits;  // each field set only if this layer sets it

    std::optional<Sourced<WindowsIsolation>> win_isolation;
    std::optional<Sourced<WindowsDesktop>> win_desktop;
    std::optional<Sourced<bool>> win_clipboard;

    std::vector<Sourced<std::string>> seccomp_allow;

    // [audit] of this file: the whole table, replacing an earlier layer's.
    std::optional<AuditSettings> audit;
};

// Applies `layer` on top of `policy`. Filesystem rules are only appended;
// finish_paths() applies precedence once every layer is in.
void merge_layer(ResolvedPolicy& policy, const Layer& layer);

// One rule per path, sorted by path; on equal paths deny > read > write
// (the first rule of the winning kind keeps its origin).
void finish_paths(ResolvedPolicy& policy);

}  // namespace mxc::policy
