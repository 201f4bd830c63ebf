#pragma once
// The managed policy (issue 15, docs/managed.md): a file an administrator
// places at a fixed path that every resolution applies last. It adds denies
// that always apply and ceilings no profile, `extends` or flag may exceed.
// Loading it (toml++) and applying it to a ResolvedPolicy live here; finding
// and trusting the file is the caller's job (src/cli/managed_source.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/paths.hpp"
#include "policy/policy.hpp"
#include "policy/raw_profile.hpp"

namespace mxc::policy {

// The managed file as written: the keys it shares with profiles keep the
// profile's raw form (validated by the same validator, so a deny path or a
// host rule means exactly what it means in a profile), the rest are its own.
struct ManagedPolicy {
    std::string path;     // the file, e.g. /etc/mxc/managed.toml
    std::string display;  // "managed:" + path: the `file` of every origin
    std::string sha256;   // of the file's bytes

    // schema, [filesystem].deny, [network].allow/deny, [env].deny, [limits].
    RawProfile raw;
    // Position of the [network].allow key: a ceiling, named when a profile
    // rule falls outside it. Unset: no ceiling on hosts.
    std::optional<Origin> net_allow_key;
    std::optional<Sourced<NetMode>> max_mode;     // [network].max_mode: "none" | "allowlist"
    std::optional<Origin> best_effort_forbidden;  // [policy].best_effort = "forbidden"
    // [policy].profiles: built-in names and "sha256:<hex>" of a chain; unset
    // means every profile may be used.
    std::optional<std::vector<Sourced<std::string>>> profiles;
    std::optional<AuditSettings> audit;
};

struct ManagedLoad {
    std::optional<ManagedPolicy> policy;  // set only when `diagnostics` is empty
    std::vector<Diagnostic> diagnostics;  // in source order
};

// Parses and validates the managed file's bytes. `path` names it in every
// origin ("managed:<path>:line:col").
ManagedLoad load_managed_text(std::string_view text, const std::string& path);

// Applies `managed` to a policy that has every other layer in (profile
// chain, flags, TLS trust reads, protected names): refusals (a rule outside
// a ceiling, a profile not in the list, best effort) become diagnostics;
// denies are added, limits capped, and what was removed or capped is
// recorded in policy.managed for explain.
void apply_managed(ResolvedPolicy& policy, const ManagedPolicy& managed, const PathVars& vars,
                   std::vector<Diagnostic>& diagnostics);

// "Inside" for host rules (docs/managed.md): every host and port `rule`
// can match is matched by one of `ceiling`.
bool host_rule_inside(const net::HostRule& rule, const std::vector<net::HostRule>& ceiling);
// The same over rule texts (a text that does not parse is inside nothing),
// for tests and tools; the resolver compares the parsed forms it holds.
bool host_rule_inside(std::string_view rule, const std::vector<std::string>& ceiling);

}  // namespace mxc::policy
