#pragma once
// Public entry points of the policy layer: load a profile (built-in name or
// .toml path), merge `extends` and CLI overrides, expand variables, validate,
// and produce a ResolvedPolicy. toml++ never appears in this header.
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "policy/model.hpp"
#include "policy/precompiled_profiles.hpp"

namespace mxc::policy {

// One problem found in a profile. to_string() gives the user-facing form
// "file:line:col: error: <what> (<how to fix>)".
struct Diagnostic {
    Origin where;
    std::string message;  // what is wrong
    std::string hint;     // how to fix it; may be empty
    [[nodiscard]] std::string to_string() const;
};

struct ManagedPolicy;  // managed.hpp

// Values for the path variables. `tmp` is the per-run directory the applier
// will create; for check/explain it may be a placeholder path.
struct ResolveContext {
    std::string workspace;  // absolute
    std::string home;       // absolute
    std::string tmp;        // absolute
    std::string cwd;        // absolute; base for relative profile paths given on the CLI
    // The caller's values of the TLS trust variables (kTlsTrustVariables)
    // that name an existing absolute path; each one the policy passes gets a
    // read rule (see tls_trust.hpp). Empty for check.
    std::map<std::string, std::string> tls_trust_env;
    // The managed policy in force on this host (issue 15), applied last;
    // null when there is none (and for check, which judges the profile alone).
    std::shared_ptr<const ManagedPolicy> managed;
    // Built-in profiles parsed at build time (precompiled_profiles.hpp); a
    // built-in not in it is parsed from its text.
    std::span<const PrecompiledProfile> precompiled;
};

// Command-line flags, merged as one more profile layer on top of the profile.
struct CliOverrides {
    std::vector<std::string> allow_read;
    std::vector<std::string> allow_write;
    std::vector<std::string> deny;
    std::vector<std::string> allow_net;   // turns mode "none" into "allowlist"
    std::vector<std::string> allow_unix;  // [network].unix entries; leave the mode alone
    std::optional<std::string> net_mode;  // "none" | "allowlist" | "host"
    std::vector<std::string> env;         // "NAME" (pass) or "NAME=VALUE" (set)
    std::optional<std::string> memory;    // size text or "unlimited", overrides limits.memory
    std::optional<std::string> timeout;   // duration text, overrides limits.wall_time
    bool best_effort = false;
    std::optional<std::string> agent;  // --agent: the audit's agent id, overrides [agent].id
};

struct BuiltinProfile {
    std::string name;
    std::string description;
    std::string_view toml;  // embedded text
};

// All built-in profiles, embedded in the binary, sorted by name.
const std::vector<BuiltinProfile>& builtin_profiles();

// Validate one profile file (and everything it extends). Returns every
// diagnostic found; empty means valid.
std::vector<Diagnostic> check_profile(const std::string& name_or_path);

// Full pipeline used by exec / explain. On failure the Error message holds one
// Diagnostic::to_string() per line.
Result<ResolvedPolicy> load_policy(const std::string& name_or_path, const CliOverrides& cli,
                                   const ResolveContext& ctx);

// The same two entry points for profile text that is not (yet) a file: tests
// and the fuzzer. `file_name` appears in diagnostics, and relative `extends`
// and {profile_dir} are taken from its directory.
std::vector<Diagnostic> check_profile_text(std::string_view toml, const std::string& file_name);
Result<ResolvedPolicy> load_policy_text(std::string_view toml, const std::string& file_name,
                                        const CliOverrides& cli, const ResolveContext& ctx);

// "4GiB", "512MB", "1024" (bytes). SI and IEC units; anything else is an error.
Result<std::uint64_t> parse_size(std::string_view text);
// "90s", "5m", "1h", "1h30m", "250ms". A bare number is an error (ambiguous).
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// The inverse, exact: the largest unit that divides the value ("8GiB", "90s",
// "250ms"), so what explain prints parses back to the same value.
std::string format_size(std::uint64_t bytes);
std::string format_duration(std::chrono::milliseconds ms);

}  // namespace mxc::policy
