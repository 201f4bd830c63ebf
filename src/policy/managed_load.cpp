// The managed file's TOML -> ManagedPolicy (docs/managed.md). Structure is
// checked here (unknown keys, types); the keys it shares with profiles are
// then validated by validate_profile, so they mean what they mean there.
#include <algorithm>
#include <initializer_list>
#include <string>

#include "common/sha256.hpp"
#include "policy/managed.hpp"
#include "policy/paths.hpp"
#include "policy/toml_parser.hpp"
#include "policy/validate.hpp"

namespace mxc::policy {
namespace {

std::string join(std::initializer_list<std::string_view> words) {
    std::string out;
    for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

class ManagedLoader {
public:
    ManagedLoader(ManagedPolicy& out, std::vector<Diagnostic>& diagnostics)
        : out_(out), diags_(diagnostics) {}

    void top(const toml::table& root) {
        out_.raw.empty = root.empty();
        for (auto&& [key, node] : root) {
            const std::string_view k = key.str();
            if (k == "schema") {
                out_.raw.schema_written = true;
                if (auto i = node.as_integer()) {
                    out_.raw.schema = Sourced<std::int64_t>{i->get(), origin(node)};
                } else {
                    wrong_type(node, "schema", "an integer");
                }
            } else if (k == "policy") {
                section(node, "policy", {"best_effort", "profiles"},
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "best_effort") {
                                if (auto s = string(v, "[policy].best_effort")) {
                                    if (s->value == "forbidden") {
                                        out_.best_effort_forbidden = s->origin;
                                    } else if (s->value != "allowed") {
                                        error(s->origin, "invalid [policy].best_effort \"" + s->value + "\"",
                                              "use \"forbidden\" or \"allowed\"");
                                    }
                                }
                            } else {
                                profiles(v);
                            }
                        });
            } else if (k == "filesystem") {
                section(node, "filesystem", {"deny"}, [&](std::string_view, const toml::node& v) {
                    out_.raw.fs_deny = strings(v, "[filesystem].deny");
                });
            } else if (k == "network") {
                const toml::node& table = node;  // a structured binding cannot be captured (C++17 clang)
                section(node, "network", {"max_mode", "allow", "deny"},
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "max_mode") {
                                max_mode(v);
                            } else if (sk == "allow") {
                                out_.net_allow_key = at(key_of(table, "allow"));
                                out_.raw.net_allow = strings(v, "[network].allow");
                            } else {
                                out_.raw.net_deny = strings(v, "[network].deny");
                            }
                        });
            } else if (k == "env") {
                section(node, "env", {"deny"}, [&](std::string_view, const toml::node& v) {
                    out_.raw.env_deny = strings(v, "[env].deny");
                });
            } else if (k == "limits") {
                section(node, "limits",
                        {"memory", "processes", "open_files", "cpu_time", "wall_time", "file_size"},
                        [&](std::string_view sk, const toml::node& v) { limit(sk, v); });
            } else if (k == "audit") {
                section(node, "audit", {"sink", "path"}, [&](std::string_view, const toml::node&) {});
                audit(node);
            } else {
                unknown(key, "", {"schema", "policy", "filesystem", "network", "env", "limits", "audit"});
            }
        }
    }

private:
    template <class Region>
    Origin at(const Region& r) const {
        return Origin{out_.display, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column), {}};
    }
    Origin origin(const toml::node& n) const { return at(n.source()); }

    // toml++ keeps the key's own position; the table's entry is found by name.
    static toml::source_region key_of(const toml::node& table, std::string_view name) {
        for (auto&& [k, v] : *table.as_table())
            if (k.str() == name) return k.source();
        return table.source();
    }

    void error(Origin where, std::string what, std::string hint = {}) {
        diags_.push_back(Diagnostic{std::move(where), std::move(what), std::move(hint)});
    }
    void wrong_type(const toml::node& n, std::string_view what, std::string_view expected) {
        error(origin(n), std::string(what) + " must be " + std::string(expected));
    }
    void unknown(const toml::key& key, std::string_view section,
                 std::initializer_list<std::string_view> known) {
        std::string what = "unknown key \"" + std::string(key.str()) + "\"";
        if (!section.empty()) what += " in [" + std::string(section) + "] of the managed policy";
        error(at(key.source()), std::move(what), "allowed: " + join(known));
    }

    template <class Fn>
    void section(const toml::node& node, std::string_view name, std::initializer_list<std::string_view> known,
                 Fn&& handle) {
        const toml::table* t = node.as_table();
        if (t == nullptr) {
            wrong_type(node, name, "a table");
            return;
        }
        for (auto&& [key, value] : *t) {
            if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
                unknown(key, name, known);
            } else {
                handle(key.str(), value);
            }
        }
    }

    std::optional<Sourced<std::string>> string(const toml::node& n, std::string_view what) {
        if (auto s = n.as_string()) return Sourced<std::string>{s->get(), origin(n)};
        wrong_type(n, what, "a string");
        return std::nullopt;
    }
    std::vector<Sourced<std::string>> strings(const toml::node& n, std::string_view what) {
        std::vector<Sourced<std::string>> out;
        const toml::array* a = n.as_array();
        if (a == nullptr) {
            wrong_type(n, what, "an array of strings");
            return out;
        }
        for (const toml::node& e : *a) {
            if (auto s = e.as_string()) {
                out.push_back({s->get(), origin(e)});
            } else {
                wrong_type(e, std::string(what) + " entries", "strings");
            }
        }
        return out;
    }

    void max_mode(const toml::node& v) {
        auto s = string(v, "[network].max_mode");
        if (!s) return;
        auto mode = net_mode_from(s->value);
        if (!mode || *mode == NetMode::Host) {
            error(s->origin, "invalid [network].max_mode \"" + s->value + "\"",
                  "use \"none\" or \"allowlist\"; without the key, any mode up to \"allowlist\" is allowed "
                  "when "
                  "[network].allow is set");
            return;
        }
        out_.max_mode = Sourced<NetMode>{*mode, s->origin};
    }

    void profiles(const toml::node& v) {
        auto list = strings(v, "[policy].profiles");
        for (const auto& p : list) {
            const std::string& name = p.value;
            if (name.rfind("sha256:", 0) == 0) {
                const std::string hex = name.substr(7);
                const bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                                });
                if (!ok)
                    error(p.origin, "invalid [policy].profiles entry \"" + name + "\"",
                          "write \"sha256:\" and 64 lower-case hex digits, as `mxc explain` prints");
            } else if (name.empty() || name.find_first_of("/\\") != std::string::npos) {
                error(p.origin, "invalid [policy].profiles entry \"" + name + "\"",
                      "name a built-in profile, or allow a file by \"sha256:<hex>\"");
            }
        }
        out_.profiles = std::move(list);
    }

    void limit(std::string_view k, const toml::node& v) {
        auto size = [&](std::optional<Sourced<std::string>>& into) {
            if (auto i = v.as_integer()) {
                into = Sourced<std::string>{std::to_string(i->get()), origin(v)};
            } else if (auto s = v.as_string()) {
                into = Sourced<std::string>{s->get(), origin(v)};
            } else {
                wrong_type(v, "[limits]." + std::string(k), "a size such as \"8GiB\"");
            }
        };
        auto count = [&](std::optional<Sourced<std::int64_t>>& into) {
            if (auto i = v.as_integer()) {
                into = Sourced<std::int64_t>{i->get(), origin(v)};
            } else {
                wrong_type(v, "[limits]." + std::string(k), "an integer");
            }
        };
        auto duration = [&](std::optional<Sourced<std::string>>& into) {
            into = string(v, "[limits]." + std::string(k));
        };
        if (k == "memory") size(out_.raw.memory);
        if (k == "file_size") size(out_.raw.file_size);
        if (k == "processes") count(out_.raw.processes);
        if (k == "open_files") count(out_.raw.open_files);
        if (k == "cpu_time") duration(out_.raw.cpu_time);
        if (k == "wall_time") duration(out_.raw.wall_time);
        // "unlimited" lifts a limit in a profile; a ceiling cannot be lifted.
        for (auto* s : {&out_.raw.memory, &out_.raw.file_size}) {
            if (*s && (*s)->value == "unlimited") {
                error((*s)->origin,
                      "[limits]." + std::string(k) + " cannot be \"unlimited\" in the managed policy",
                      "remove the key: the managed policy then sets no maximum");
                s->reset();
            }
        }
    }

    void audit(const toml::node& node) {
        const toml::table* t = node.as_table();
        if (t == nullptr) return;  // reported by section()
        AuditSettings settings;
        bool sink_ok = false;
        if (const toml::node* s = t->get("sink")) {
            if (auto text = string(*s, "[audit].sink")) {
                if (auto sink = audit_sink_from_string(text->value)) {
                    settings.sink = Sourced<AuditSink>{*sink, text->origin};
                    sink_ok = true;
                } else {
                    error(text->origin, "invalid [audit].sink \"" + text->value + "\"",
                          "use \"file\", \"journald\", \"syslog\" or \"eventlog\"");
                }
            }
        } else {
            error(origin(node), "[audit] needs a sink", "add sink = \"journald\", \"syslog\" or \"file\"");
        }
        if (const toml::node* p = t->get("path")) {
            if (auto text = string(*p, "[audit].path")) {
                if (!is_absolute_path(text->value)) {
                    error(text->origin, "[audit].path must be absolute",
                          "write a path such as \"/var/log/mxc/audit.jsonl\"");
                } else {
                    settings.path = Sourced<std::string>{normalize_path(text->value), text->origin};
                }
            }
        }
        if (sink_ok && settings.sink.value == AuditSink::File && !settings.path) {
            error(settings.sink.origin, "[audit].sink = \"file\" needs a path",
                  "add path = \"/var/log/mxc/audit.jsonl\"");
            return;
        }
        if (sink_ok && settings.sink.value != AuditSink::File && settings.path) {
            error(settings.path->origin, "[audit].path is only read with sink = \"file\"", "remove it");
            return;
        }
        if (sink_ok) out_.audit = std::move(settings);
    }

    ManagedPolicy& out_;
    std::vector<Diagnostic>& diags_;
};

}  // namespace

ManagedLoad load_managed_text(std::string_view text, const std::string& path) {
    ManagedLoad result;
    ManagedPolicy managed;
    managed.path = path;
    managed.display = "managed:" + path;
    managed.sha256 = sha256_hex(text);
    managed.raw.file = managed.display;

#if TOML_EXCEPTIONS
    toml::table root;
    try {
        root = toml::parse(text, managed.display);
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        result.diagnostics.push_back(
            Diagnostic{Origin{managed.display, static_cast<int>(b.line), static_cast<int>(b.column), {}},
                       "invalid TOML: " + std::string(e.description()),
                       {}});
        return result;
    }
#else
    toml::parse_result parsed = toml::parse(text, managed.display);
    if (!parsed) {
        const auto& b = parsed.error().source().begin;
        result.diagnostics.push_back(
            Diagnostic{Origin{managed.display, static_cast<int>(b.line), static_cast<int>(b.column), {}},
                       "invalid TOML: " + std::string(parsed.error().description()),
                       {}});
        return result;
    }
    toml::table root = std::move(parsed).table();
#endif
    ManagedLoader(managed, result.diagnostics).top(root);
    // The shared keys, validated as a profile's would be; the variables get
    // placeholder values here and the real ones at every run.
    PathVars vars{"/managed-check/workspace", "/managed-check/home", "/managed-check/tmp", std::nullopt};
    (void)validate_profile(managed.raw, vars, result.diagnostics);
    std::stable_sort(
        result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.col < b.where.col;
        });
    if (result.diagnostics.empty()) result.policy = std::move(managed);
    return result;
}

}  // namespace mxc::policy
