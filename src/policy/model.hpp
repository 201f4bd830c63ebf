#pragma once
// The resolved policy: plain data, no toml++ types. This is what platform
// compilers consume. Every rule remembers where it came from (file:line:col or
// the CLI flag) so explain/errors can point at it.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/host_rule_types.hpp"

namespace mxc::policy {

// Where a rule came from: a profile file position, or a command-line flag.
struct Origin {
    std::string file;  // profile path, or "builtin:<name>" for embedded profiles
    int line = 0;      // 1-based; 0 when unknown
    int col = 0;       // 1-based; 0 when unknown
    std::string flag;  // e.g. "--allow-read"; non-empty means it came from the CLI

    [[nodiscard]] std::string describe() const {
        if (!flag.empty()) return "flag " + flag;
        if (line == 0) return file;
        return file + ":" + std::to_string(line) + ":" + std::to_string(col);
    }
    bool operator==(const Origin&) const = default;
};

template <class T>
struct Sourced {
    T value{};
    Origin origin;
    bool operator==(const Sourced&) const = default;
};

enum class Access { Read, Write, Deny };
enum class MissingPaths { Ignore, Error };
enum class NetMode { None, Allowlist, Host };

inline const char* to_string(Access a) {
    switch (a) {
        case Access::Read:
            return "read";
        case Access::Write:
            return "write";
        case Access::Deny:
            return "deny";
    }
    return "?";
}

// On one path the strongest restriction wins, deny > read > write: deny
// hides, read exposes without write, write is the weakest (docs/design.md,
// the [filesystem] rules). True when `a` wins over `b`.
inline bool overrides(Access a, Access b) {
    const auto strength = [](Access x) {
        switch (x) {
            case Access::Deny:
                return 2;
            case Access::Read:
                return 1;
            case Access::Write:
                return 0;
        }
        return 0;
    };
    return strength(a) > strength(b);
}
inline const char* to_string(NetMode m) {
    switch (m) {
        case NetMode::None:
            return "none";
        case NetMode::Allowlist:
            return "allowlist";
        case NetMode::Host:
            return "host";
    }
    return "?";
}

// One filesystem rule after variable expansion and lexical normalisation:
// `path` is absolute, has no "." / ".." components, no trailing slash (except
// "/"). Equal paths have been merged by precedence (deny > read > write), so
// at most one rule exists per path. Symlinks are resolved at launch by the
// applier (the resolved target is what the rule applies to).
struct PathRule {
    std::string path;
    Access access = Access::Read;
    Origin origin;
    // Added by the protected-names list ([filesystem].protect) under a write
    // rule, not written by the profile: a missing one is no error, and a
    // write-access one (".git") is pinned as its own mount point so the
    // run cannot rename or replace it.
    bool protect = false;
    // [filesystem].missing of the file that wrote the rule ("ignore" when
    // that file does not set it; CLI rules follow the profile's effective
    // setting): a child's missing = "error" never makes a parent's rules
    // fatal (issue 12, item 8).
    Sourced<MissingPaths> missing{MissingPaths::Ignore, {}};
};

// `memory = "unlimited"` / `--memory unlimited` in a layer: lifts a limit
// inherited from an earlier layer. Only layers carry it; merge_layer turns it
// into "no limit", so a resolved policy never holds this value.
inline constexpr std::uint64_t kUnlimitedBytes = ~std::uint64_t{0};

struct Limits {
    std::optional<Sourced<std::uint64_t>> memory_bytes;
    std::optional<Sourced<std::uint64_t>> processes;
    std::optional<Sourced<std::uint64_t>> open_files;
    std::optional<Sourced<std::uint64_t>> file_size_bytes;
    std::optional<Sourced<std::chrono::milliseconds>> cpu_time;
    std::optional<Sourced<std::chrono::milliseconds>> wall_time;
};

struct EnvRules {
    std::vector<Sourced<std::string>> pass;           // names or globs ("LC_*")
    std::vector<Sourced<std::string>> deny;           // globs; beat pass (not set)
    std::map<std::string, Sourced<std::string>> set;  // explicit values, already expanded
};

// One [network].allow / deny rule: its text as written (explain, verdicts,
// the audit "rule"), where it came from, and its parsed form. The resolver
// parses each rule once (profile validation, the CLI layer, the managed
// policy) and every consumer uses `parsed`; none parses the text again.
struct HostRuleEntry {
    std::string value;
    Origin origin;
    // Empty only in a policy built around the resolver (tests) with a rule
    // that does not parse: consumers treat it as an invalid rule.
    std::optional<net::HostRule> parsed;
};
// Why a HostRuleEntry without `parsed` is refused.
inline constexpr const char* kUnparsedHostRule = "not a valid host rule";

struct NetworkRules {
    Sourced<NetMode> mode{NetMode::None, {}};
    std::vector<HostRuleEntry> allow;
    std::vector<HostRuleEntry> deny;
    // [network].unix: pathname sockets connect() may reach, as the sandbox
    // sees them (a directory allows every socket below it). Expanded and
    // normalised like filesystem paths; first occurrence kept.
    std::vector<Sourced<std::string>> unix_sockets;
};

enum class WindowsIsolation { AppContainer, RestrictedToken };
enum class WindowsDesktop { Private, Shared };

struct WindowsSettings {
    Sourced<WindowsIsolation> isolation{WindowsIsolation::AppContainer, {}};
    Sourced<WindowsDesktop> desktop{WindowsDesktop::Shared, {}};
    Sourced<bool> clipboard{false, {}};
};

// Syscall groups a profile may allow back with [seccomp].allow. Everything
// else in the default filter (TIOCSTI/TIOCLINUX injection, kexec, modules) can
// never be allowed back.
inline constexpr std::array<const char*, 13> kSeccompGroups = {
    "ptrace", "process_vm", "io_uring", "bpf",   "keyring", "perf_event", "userfaultfd",
    "mount",  "userns",     "netlink",  "vsock", "packet",  "raw_sockets"};

struct SeccompSettings {
    std::vector<Sourced<std::string>> allow;  // named groups allowed back, e.g. "ptrace"
};

// Where audit events go (issue 15). "file" appends JSON lines to `path`;
// "journald" sends structured fields to the systemd journal; "syslog" sends
// RFC 5424 messages to the local syslog socket; "eventlog" is the Windows
// Event Log.
enum class AuditSink { File, Journald, Syslog, EventLog };

inline const char* to_string(AuditSink s) {
    switch (s) {
        case AuditSink::File:
            return "file";
        case AuditSink::Journald:
            return "journald";
        case AuditSink::Syslog:
            return "syslog";
        case AuditSink::EventLog:
            return "eventlog";
    }
    return "?";
}

inline std::optional<AuditSink> audit_sink_from_string(const std::string& s) {
    if (s == "file") return AuditSink::File;
    if (s == "journald") return AuditSink::Journald;
    if (s == "syslog") return AuditSink::Syslog;
    if (s == "eventlog") return AuditSink::EventLog;
    return std::nullopt;
}

// One [audit] table: of a profile, or of the managed policy.
struct AuditSettings {
    Sourced<AuditSink> sink{AuditSink::File, {}};
    std::optional<Sourced<std::string>> path;  // "file" sink: absolute, expanded
};

// What the managed policy (issue 15, docs/managed.md) did to one
// resolution, for explain and --dry-run.
struct ManagedChange {
    std::string rule;    // the profile's or flag's rule, e.g. "limits.memory 16GiB"
    Origin origin;       // where it came from; empty file: the profile left it unset
    std::string action;  // "removed", "capped to 8GiB", "set to 8GiB"
    Origin by;           // the managed line responsible
};

struct ManagedSummary {
    std::string path;                                   // the managed file
    std::string sha256;                                 // of its bytes
    std::vector<std::pair<std::string, Origin>> rules;  // every managed rule, "key value"
    std::vector<ManagedChange> changes;
    // The first managed [network] rule (max_mode, an allow ceiling, a deny),
    // as in `rules`: what `mxc learn --allow-net-learning` must not pass.
    std::optional<std::pair<std::string, Origin>> network_rule;
};

struct ResolvedPolicy {
    std::string name;  // profile name (from `name`, else file stem / builtin name)
    std::string description;
    std::string source;              // top-level profile: path or "builtin:<name>"
    std::vector<std::string> chain;  // every profile file merged, parents first
    // The bytes of every file in `chain`, in order; chain_sha256() hashes
    // them when something asks (audit, explain, a managed profile list),
    // not on every run.
    std::string chain_bytes;
    std::string agent_id;  // [agent].id, "" if unset

    // Values the variables expanded to.
    std::string workspace;
    std::string home;
    std::string tmp;  // per-run private dir (created/removed by the applier)
    std::string profile_dir;

    std::vector<PathRule> paths;  // sorted by path; one rule per path
    Sourced<MissingPaths> missing{MissingPaths::Ignore, {}};
    std::vector<Sourced<std::string>> protect;  // [filesystem].protect entries of every layer, in order
    NetworkRules network;
    EnvRules env;
    Limits limits;
    WindowsSettings windows;
    SeccompSettings seccomp;
    Sourced<bool> best_effort{false, {}};

    // [audit] of the profile chain (last layer that sets it), if any.
    std::optional<AuditSettings> audit;
    // [audit] of the managed policy (issue 15): written by every run,
    // whatever the caller or the profile says. Filled by the managed layer.
    std::optional<AuditSettings> managed_audit;
    // Set when a managed policy was applied.
    std::optional<ManagedSummary> managed;
};

// Hex SHA-256 over policy.chain_bytes: the profile identity in audit events,
// `mxc explain` and a managed policy's "sha256:" profile entries.
std::string chain_sha256(const ResolvedPolicy& policy);

}  // namespace mxc::policy
