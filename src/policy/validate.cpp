#include "policy/validate.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "net/host_rule.hpp"
#include "net/public_suffix.hpp"
#include "policy/protected_names.hpp"

namespace mxc::policy {
namespace {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

class Validator {
public:
    Validator(const RawProfile& raw, const PathVars& vars, std::vector<Diagnostic>& out)
        : raw_(raw), vars_(vars), out_(out) {}

    Layer run() {
        if (raw_.empty) {
            error(start(), "empty profile", "a profile needs at least schema = 1");
            return layer_;
        }
        schema();
        if (raw_.name && raw_.name->value.empty())
            error(raw_.name->origin, "empty name", "remove the key or name the profile");
        if (raw_.agent_id) {
            if (raw_.agent_id->value.empty()) {
                error(raw_.agent_id->origin, "empty [agent].id", "remove the key or name the agent");
            } else if (auto bad = agent_name_problem(raw_.agent_id->value)) {
                error(raw_.agent_id->origin, "[agent].id: " + *bad, kAgentNameHint);
            } else {
                layer_.agent_id = raw_.agent_id;
            }
        }
        layer_.best_effort = raw_.best_effort;
        filesystem();
        network();
        env();
        limits();
        windows();
        seccomp();
        audit();
        return layer_;
    }

private:
    Origin start() const { return Origin{raw_.file, 1, 1, {}}; }
    void error(const Origin& where, std::string what, std::string hint = {}) {
        out_.push_back(Diagnostic{where, std::move(what), std::move(hint)});
    }

    void schema() {
        if (!raw_.schema) {
            if (raw_.schema_written) return;  // the loader already reported its type
            error(start(), "missing \"schema\"", "add schema = 1 at the top of the file");
            return;
        }
        const auto& s = *raw_.schema;
        if (s.value > kSchemaVersion) {
            error(s.origin, "schema " + std::to_string(s.value) + " is newer than this mxc understands",
                  "upgrade mxc, or write schema = 1 and use only schema 1 keys");
        } else if (s.value < 1) {
            error(s.origin, "invalid schema " + std::to_string(s.value), "write schema = 1");
        }
    }

    void paths(const std::vector<Sourced<std::string>>& entries, Access access) {
        for (const auto& e : entries) {
            auto path = expand_path(e.value, vars_);
            if (!path) {
                error(e.origin,
                      std::string("[filesystem].") + to_string(access) + ": " + path.error().message);
                continue;
            }
            layer_.paths.push_back(PathRule{*path, access, e.origin});
        }
    }

    void filesystem() {
        paths(raw_.fs_read, Access::Read);
        paths(raw_.fs_write, Access::Write);
        paths(raw_.fs_deny, Access::Deny);
        for (const auto& e : raw_.fs_protect) {
            if (auto bad = protected_name_error(e.value)) {
                error(e.origin, "[filesystem].protect " + quoted(e.value) + ": " + *bad,
                      "name a path relative to each write rule, such as \".envrc\" or \".vscode\"; "
                      "\"!NAME\" removes a name, \"!*\" removes the built-in list");
                continue;
            }
            layer_.protect.push_back(e);
        }
        if (const auto& m = raw_.fs_missing) {
            if (m->value == "ignore") {
                layer_.missing = Sourced<MissingPaths>{MissingPaths::Ignore, m->origin};
            } else if (m->value == "error") {
                layer_.missing = Sourced<MissingPaths>{MissingPaths::Error, m->origin};
            } else {
                error(m->origin, "invalid [filesystem].missing " + quoted(m->value),
                      "use \"ignore\" or \"error\"");
            }
        }
        if (layer_.missing) {
            for (auto& rule : layer_.paths) rule.missing = *layer_.missing;
        }
    }

    void host_rules(const std::vector<Sourced<std::string>>& entries, const char* key,
                    std::vector<HostRuleEntry>& into) {
        for (const auto& e : entries) {
            auto rule = net::parse_host_rule(e.value);
            if (!rule) {
                error(e.origin, std::string("[network].") + key + ": " + rule.error().message);
                continue;
            }
            // A deny rule may be as wide as it likes; an allow rule may not
            // open a whole public suffix. Built-in profiles are part of mxc
            // and checked against the list by its tests (builtins_test.cpp):
            // loading libpsl for them cost every coding-agent start 0.4 ms.
            if (std::string_view(key) == "allow" && !raw_.builtin) {
                if (auto problem = net::public_suffix_problem(*rule)) {
                    error(e.origin, "[network].allow: " + *problem, net::kPublicSuffixHint);
                    continue;
                }
            }
            into.push_back(HostRuleEntry{e.value, e.origin, std::move(rule).value()});
        }
    }

    void network() {
        if (const auto& m = raw_.net_mode) {
            if (auto mode = net_mode_from(m->value)) {
                layer_.net_mode = Sourced<NetMode>{*mode, m->origin};
            } else {
                error(m->origin, "invalid [network].mode " + quoted(m->value),
                      "use \"none\", \"allowlist\" or \"host\"");
            }
        }
        host_rules(raw_.net_allow, "allow", layer_.net_allow);
        host_rules(raw_.net_deny, "deny", layer_.net_deny);
        for (const auto& e : raw_.net_unix) {
            auto path = expand_path(e.value, vars_);
            if (!path) {
                error(e.origin, "[network].unix: " + path.error().message);
                continue;
            }
            if (auto bad = unix_socket_rule_problem(e.value, *path)) {
                error(e.origin, "[network].unix: " + *bad, kUnixSocketRuleHint);
                continue;
            }
            layer_.net_unix.push_back({*path, e.origin});
        }
    }

    void env_patterns(const std::vector<Sourced<std::string>>& entries, const char* key,
                      std::vector<Sourced<std::string>>& into) {
        for (const auto& e : entries) {
            if (!valid_env_pattern(e.value)) {
                error(e.origin, std::string("invalid [env].") + key + " entry " + quoted(e.value),
                      "use a variable name or a glob of letters, digits, _ and * such as \"LC_*\"");
                continue;
            }
            into.push_back(e);
        }
    }

    void env() {
        env_patterns(raw_.env_pass, "pass", layer_.env_pass);
        env_patterns(raw_.env_deny, "deny", layer_.env_deny);
        for (const auto& [name, value] : raw_.env_set) {
            if (!valid_env_name(name.value)) {
                error(name.origin, "invalid [env].set variable name " + quoted(name.value),
                      "use letters, digits and _, not starting with a digit");
                continue;
            }
            if (value.value.find('\0') != std::string::npos) {
                error(value.origin, "[env].set." + name.value + " contains a NUL byte");
                continue;
            }
            auto expanded = expand_text(value.value, vars_);
            if (!expanded) {
                error(value.origin, "[env].set." + name.value + ": " + expanded.error().message);
                continue;
            }
            layer_.env_set.push_back({name.value, Sourced<std::string>{*expanded, value.origin}});
        }
    }

    void size(const std::optional<Sourced<std::string>>& raw, const char* key,
              std::optional<Sourced<std::uint64_t>>& into) {
        if (!raw) return;
        auto bytes = parse_size(raw->value);
        if (!bytes) {
            error(raw->origin, std::string("[limits].") + key + ": " + bytes.error().message);
        } else if (*bytes == 0) {
            error(raw->origin, std::string("[limits].") + key + " must be greater than zero",
                  "remove the key to leave it unlimited");
        } else {
            into = Sourced<std::uint64_t>{*bytes, raw->origin};
        }
    }

    void count(const std::optional<Sourced<std::int64_t>>& raw, const char* key,
               std::optional<Sourced<std::uint64_t>>& into) {
        if (!raw) return;
        if (raw->value <= 0) {
            error(raw->origin, std::string("[limits].") + key + " must be greater than zero",
                  "remove the key to leave it unlimited");
            return;
        }
        into = Sourced<std::uint64_t>{static_cast<std::uint64_t>(raw->value), raw->origin};
    }

    void duration(const std::optional<Sourced<std::string>>& raw, const char* key,
                  std::optional<Sourced<std::chrono::milliseconds>>& into) {
        if (!raw) return;
        auto ms = parse_duration(raw->value);
        if (!ms) {
            error(raw->origin, std::string("[limits].") + key + ": " + ms.error().message);
        } else if (ms->count() == 0) {
            error(raw->origin, std::string("[limits].") + key + " must be greater than zero",
                  "remove the key to leave it unlimited");
        } else {
            into = Sourced<std::chrono::milliseconds>{*ms, raw->origin};
        }
    }

    void limits() {
        // "unlimited" lifts what an extended profile set (keys cannot be unset).
        if (raw_.memory && raw_.memory->value == "unlimited") {
            layer_.limits.memory_bytes = Sourced<std::uint64_t>{kUnlimitedBytes, raw_.memory->origin};
        } else {
            size(raw_.memory, "memory", layer_.limits.memory_bytes);
        }
        size(raw_.file_size, "file_size", layer_.limits.file_size_bytes);
        count(raw_.processes, "processes", layer_.limits.processes);
        count(raw_.open_files, "open_files", layer_.limits.open_files);
        duration(raw_.cpu_time, "cpu_time", layer_.limits.cpu_time);
        duration(raw_.wall_time, "wall_time", layer_.limits.wall_time);
    }

    void windows() {
        if (const auto& i = raw_.win_isolation) {
            if (i->value == "appcontainer") {
                layer_.win_isolation = Sourced<WindowsIsolation>{WindowsIsolation::AppContainer, i->origin};
            } else if (i->value == "restricted-token") {
                layer_.win_isolation =
                    Sourced<WindowsIsolation>{WindowsIsolation::RestrictedToken, i->origin};
            } else {
                error(i->origin, "invalid [windows].isolation " + quoted(i->value),
                      "use \"appcontainer\" or \"restricted-token\"");
            }
        }
        if (const auto& d = raw_.win_desktop) {
            if (d->value == "private") {
                layer_.win_desktop = Sourced<WindowsDesktop>{WindowsDesktop::Private, d->origin};
            } else if (d->value == "shared") {
                layer_.win_desktop = Sourced<WindowsDesktop>{WindowsDesktop::Shared, d->origin};
            } else {
                error(d->origin, "invalid [windows].desktop " + quoted(d->value),
                      "use \"private\" or \"shared\"");
            }
        }
        layer_.win_clipboard = raw_.win_clipboard;
    }

    void seccomp() {
        for (const auto& g : raw_.seccomp_allow) {
            bool known = std::any_of(kSeccompGroups.begin(), kSeccompGroups.end(),
                                     [&](const char* name) { return g.value == name; });
            if (!known) {
                std::string groups;
                for (const char* name : kSeccompGroups)
                    groups += (groups.empty() ? "" : ", ") + std::string(name);
                error(g.origin, "unknown [seccomp].allow group " + quoted(g.value), "groups: " + groups);
                continue;
            }
            layer_.seccomp_allow.push_back(g);
        }
    }

    // [audit]: where this profile's runs write their events (issue 15).
    void audit() {
        if (!raw_.audit_written) return;
        AuditSettings settings;
        bool ok = true;
        if (const auto& s = raw_.audit_sink) {
            auto sink = audit_sink_from_string(s->value);
            if (!sink) {
                error(s->origin, "invalid [audit].sink " + quoted(s->value),
                      "use \"file\", \"journald\", \"syslog\" or \"eventlog\" (Windows)");
                return;
            }
            settings.sink = Sourced<AuditSink>{*sink, s->origin};
            if (auto bad = sink_platform_problem(*sink)) {
                error(s->origin, "[audit].sink " + quoted(s->value) + ": " + bad->first, bad->second);
                ok = false;
            }
        } else if (!raw_.audit_path) {
            error(start(), "[audit] names no sink", "add sink = \"journald\", \"syslog\" or \"file\"");
            return;
        } else {
            settings.sink = Sourced<AuditSink>{AuditSink::File, raw_.audit_path->origin};
        }
        const AuditSink sink = settings.sink.value;
        if (const auto& p = raw_.audit_path) {
            if (sink == AuditSink::Journald || sink == AuditSink::EventLog) {
                error(p->origin,
                      std::string("[audit].path has no meaning for sink \"") + to_string(sink) + "\"",
                      "remove it; only \"file\" (the log file) and \"syslog\" (the socket) take a path");
                ok = false;
            } else if (auto path = expand_path(p->value, vars_); !path) {
                error(p->origin, "[audit].path: " + path.error().message);
                ok = false;
            } else {
                settings.path = Sourced<std::string>{*path, p->origin};
            }
        } else if (sink == AuditSink::File) {
            error(settings.sink.origin, "[audit].sink \"file\" needs a path",
                  "add path = \"{home}/.local/state/mxc/audit.jsonl\" (outside every writable area)");
            ok = false;
        }
        if (ok) layer_.audit = std::move(settings);
    }

    // A sink this platform has not: refused rather than ignored, since a
    // profile that asks for an audit trail must not run without one.
    static std::optional<std::pair<std::string, std::string>> sink_platform_problem(AuditSink sink) {
#ifdef _WIN32
        if (sink == AuditSink::Journald || sink == AuditSink::Syslog)
            return std::pair<std::string, std::string>{"not available on Windows",
                                                       "use \"eventlog\" or \"file\""};
#else
        if (sink == AuditSink::EventLog)
            return std::pair<std::string, std::string>{"the Windows Event Log is not available here",
                                                       "use \"journald\", \"syslog\" or \"file\""};
#endif
        return std::nullopt;
    }

    const RawProfile& raw_;
    const PathVars& vars_;
    std::vector<Diagnostic>& out_;
    Layer layer_;
};

bool env_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool valid_env_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(), env_char);
}

bool valid_env_pattern(std::string_view glob) {
    if (glob.empty()) return false;
    return std::all_of(glob.begin(), glob.end(), [](char c) { return env_char(c) || c == '*' || c == '?'; });
}

std::optional<std::string> unix_socket_rule_problem(std::string_view text, const std::string& path) {
    // The rule is compared with the path the broker resolved (links followed
    // inside the sandbox's root), so a ".." written here would only mislead:
    // "/run/user/1000/app/../docker.sock" is not what it seems to name.
    std::string_view rest = text;
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        if (rest.substr(0, slash) == "..") {
            return "socket path " + quoted(text) + " contains \"..\"";
        }
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (path == "/") return std::string("\"/\" would allow every socket on the host");
    return std::nullopt;
}

std::optional<std::string> agent_name_problem(std::string_view name) {
    if (name.empty()) return std::string("the agent name is empty");
    if (name.size() > kMaxAgentName)
        return "the agent name is " + std::to_string(name.size()) + " bytes long, more than " +
               std::to_string(kMaxAgentName);
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        std::string_view("._-@:/+").find(c) != std::string_view::npos;
        if (ok) continue;
        // Named by its code, not printed: it may be a control byte.
        char code[8];
        std::snprintf(code, sizeof code, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        return std::string("the agent name holds the character ") + code +
               ", which an audit field cannot carry";
    }
    return std::nullopt;
}

std::optional<NetMode> net_mode_from(std::string_view text) {
    if (text == "none") return NetMode::None;
    if (text == "allowlist") return NetMode::Allowlist;
    if (text == "host") return NetMode::Host;
    return std::nullopt;
}

Layer validate_profile(const RawProfile& raw, const PathVars& vars, std::vector<Diagnostic>& diagnostics) {
    std::vector<Diagnostic> found;
    Layer layer = Validator(raw, vars, found).run();
    std::stable_sort(found.begin(), found.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.col < b.where.col;
    });
    diagnostics.insert(diagnostics.end(), found.begin(), found.end());
    return layer;
}

}  // namespace mxc::policy
