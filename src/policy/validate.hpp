#pragma once
// RawProfile -> Layer: checks what every value means (schema version, enums,
// sizes, durations, host rules, seccomp groups, env names, paths) and expands
// the path variables. Every problem is reported, not just the first.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/layer.hpp"
#include "policy/paths.hpp"
#include "policy/policy.hpp"
#include "policy/raw_profile.hpp"

namespace mxc::policy {

inline constexpr std::int64_t kSchemaVersion = 1;

// `extends` is not looked at here: following it needs files (resolve.cpp).
Layer validate_profile(const RawProfile& raw, const PathVars& vars, std::vector<Diagnostic>& diagnostics);

// Shared with the CLI layer so flags and files accept exactly the same values.
bool valid_env_name(std::string_view name);     // NAME for set
bool valid_env_pattern(std::string_view glob);  // NAME or glob for pass/deny
std::optional<NetMode> net_mode_from(std::string_view text);

// Why `name` cannot be an agent id ([agent].id, --agent), or nullopt: it
// goes into every audit event and into syslog structured data, so printable
// ASCII without spaces, at most kMaxAgentName bytes.
inline constexpr std::size_t kMaxAgentName = 64;
std::optional<std::string> agent_name_problem(std::string_view name);
inline constexpr const char* kAgentNameHint =
    "use letters, digits and . _ - @ : / + (at most 64), such as \"claude-code\"";

// A [network].unix entry as written (`text`) and expanded (`path`): why it is
// refused, or nullopt. Expansion errors are reported before this is asked.
std::optional<std::string> unix_socket_rule_problem(std::string_view text, const std::string& path);
inline constexpr const char* kUnixSocketRuleHint =
    "name the socket, or the directory that holds it, such as \"/run/docker.sock\" or "
    "\"{home}/.ssh/agent\"";

}  // namespace mxc::policy
