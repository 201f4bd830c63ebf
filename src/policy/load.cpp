#include "policy/load.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "policy/toml_parser.hpp"

namespace mxc::policy {
namespace {

// Edit distance, for "did you mean" hints on misspelt keys.
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string join(std::initializer_list<std::string_view> words) {
    std::string out;
    for (auto w : words) {
        if (!out.empty()) out += ", ";
        out += w;
    }
    return out;
}

const char* type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

class Loader {
public:
    explicit Loader(LoadedProfile& out) : out_(out) {}

    void top(const toml::table& root) {
        out_.raw.empty = root.empty();
        for (auto&& [key, node] : root) {
            const std::string_view k = key.str();
            if (k == "schema") {
                out_.raw.schema_written = true;
                out_.raw.schema = integer(node, "schema");
            } else if (k == "name") {
                out_.raw.name = string(node, "name");
            } else if (k == "description") {
                out_.raw.description = string(node, "description");
            } else if (k == "extends") {
                // A single parent may be written without brackets.
                if (auto s = node.as_string()) {
                    out_.raw.extends.push_back({s->get(), origin(node)});
                } else {
                    out_.raw.extends = strings(node, "extends");
                }
            } else if (k == "best_effort") {
                out_.raw.best_effort = boolean(node, "best_effort");
            } else if (k == "agent") {
                section(node, "agent",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "id") return set(out_.raw.agent_id, string(v, "[agent].id"));
                            return false;
                        },
                        {"id"});
            } else if (k == "filesystem") {
                section(node, "filesystem",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "read") return set(out_.raw.fs_read, strings(v, "[filesystem].read"));
                            if (sk == "write")
                                return set(out_.raw.fs_write, strings(v, "[filesystem].write"));
                            if (sk == "deny") return set(out_.raw.fs_deny, strings(v, "[filesystem].deny"));
                            if (sk == "missing")
                                return set(out_.raw.fs_missing, string(v, "[filesystem].missing"));
                            if (sk == "protect")
                                return set(out_.raw.fs_protect, strings(v, "[filesystem].protect"));
                            return false;
                        },
                        {"read", "write", "deny", "missing", "protect"});
            } else if (k == "network") {
                section(node, "network",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "mode") return set(out_.raw.net_mode, string(v, "[network].mode"));
                            if (sk == "allow") return set(out_.raw.net_allow, strings(v, "[network].allow"));
                            if (sk == "deny") return set(out_.raw.net_deny, strings(v, "[network].deny"));
                            if (sk == "unix") return set(out_.raw.net_unix, strings(v, "[network].unix"));
                            return false;
                        },
                        {"mode", "allow", "deny", "unix"});
            } else if (k == "env") {
                section(node, "env",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "pass") return set(out_.raw.env_pass, strings(v, "[env].pass"));
                            if (sk == "deny") return set(out_.raw.env_deny, strings(v, "[env].deny"));
                            if (sk == "set") {
                                env_set(v);
                                return true;
                            }
                            return false;
                        },
                        {"pass", "set", "deny"});
            } else if (k == "limits") {
                section(node, "limits",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "memory") return set(out_.raw.memory, size(v, "[limits].memory"));
                            if (sk == "file_size")
                                return set(out_.raw.file_size, size(v, "[limits].file_size"));
                            if (sk == "processes")
                                return set(out_.raw.processes, integer(v, "[limits].processes"));
                            if (sk == "open_files")
                                return set(out_.raw.open_files, integer(v, "[limits].open_files"));
                            if (sk == "cpu_time")
                                return set(out_.raw.cpu_time, duration(v, "[limits].cpu_time"));
                            if (sk == "wall_time")
                                return set(out_.raw.wall_time, duration(v, "[limits].wall_time"));
                            return false;
                        },
                        {"memory", "processes", "open_files", "cpu_time", "wall_time", "file_size"});
            } else if (k == "windows") {
                section(node, "windows",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "isolation")
                                return set(out_.raw.win_isolation, string(v, "[windows].isolation"));
                            if (sk == "desktop")
                                return set(out_.raw.win_desktop, string(v, "[windows].desktop"));
                            if (sk == "clipboard")
                                return set(out_.raw.win_clipboard, boolean(v, "[windows].clipboard"));
                            return false;
                        },
                        {"isolation", "desktop", "clipboard"});
            } else if (k == "seccomp") {
                section(node, "seccomp",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "allow")
                                return set(out_.raw.seccomp_allow, strings(v, "[seccomp].allow"));
                            return false;
                        },
                        {"allow"});
            } else if (k == "audit") {
                out_.raw.audit_written = true;
                section(node, "audit",
                        [&](std::string_view sk, const toml::node& v) {
                            if (sk == "sink") return set(out_.raw.audit_sink, string(v, "[audit].sink"));
                            if (sk == "path") return set(out_.raw.audit_path, string(v, "[audit].path"));
                            return false;
                        },
                        {"sink", "path"});
            } else {
                unknown(key, "",
                        {"schema", "name", "description", "extends", "best_effort", "agent", "filesystem",
                         "network", "env", "limits", "windows", "seccomp", "audit"});
            }
        }
    }

private:
    // Stores a checked value; returns true so section handlers can say "key known".
    template <class T>
    static bool set(T& field, T value) {
        field = std::move(value);
        return true;
    }

    template <class Region>
    Origin at(const Region& r) const {
        return Origin{out_.raw.file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column), {}};
    }
    Origin origin(const toml::node& n) const { return at(n.source()); }

    void error(Origin where, std::string what, std::string hint) {
        out_.diagnostics.push_back(Diagnostic{std::move(where), std::move(what), std::move(hint)});
    }
    void wrong_type(const toml::node& n, std::string_view what, std::string_view expected, std::string hint) {
        error(origin(n),
              std::string(what) + " must be " + std::string(expected) + ", not " + type_name(n.type()),
              std::move(hint));
    }

    void unknown(const toml::key& key, std::string_view section,
                 std::initializer_list<std::string_view> known) {
        std::string what = "unknown key \"" + std::string(key.str()) + "\"";
        if (!section.empty()) what += " in [" + std::string(section) + "]";
        std::string hint;
        for (auto k : known) {
            if (distance(k, key.str()) <= 2) {
                hint = "did you mean \"" + std::string(k) + "\"? ";
                break;
            }
        }
        hint += "allowed: " + join(known);
        error(at(key.source()), std::move(what), std::move(hint));
    }

    template <class Fn>
    void section(const toml::node& node, std::string_view name, Fn&& handle,
                 std::initializer_list<std::string_view> known) {
        const toml::table* t = node.as_table();
        if (t == nullptr) {
            wrong_type(node, name, "a table", "write it as a [" + std::string(name) + "] section");
            return;
        }
        for (auto&& [key, value] : *t) {
            if (!handle(key.str(), value)) unknown(key, name, known);
        }
    }

    std::optional<Sourced<std::string>> string(const toml::node& n, std::string_view what) {
        if (auto s = n.as_string()) return Sourced<std::string>{s->get(), origin(n)};
        wrong_type(n, what, "a string", "put the value in double quotes");
        return std::nullopt;
    }
    std::optional<Sourced<std::int64_t>> integer(const toml::node& n, std::string_view what) {
        if (auto i = n.as_integer()) return Sourced<std::int64_t>{i->get(), origin(n)};
        wrong_type(n, what, "an integer", "write a number without quotes");
        return std::nullopt;
    }
    std::optional<Sourced<bool>> boolean(const toml::node& n, std::string_view what) {
        if (auto b = n.as_boolean()) return Sourced<bool>{b->get(), origin(n)};
        wrong_type(n, what, "a boolean", "write true or false without quotes");
        return std::nullopt;
    }
    std::optional<Sourced<std::string>> size(const toml::node& n, std::string_view what) {
        if (auto i = n.as_integer()) return Sourced<std::string>{std::to_string(i->get()), origin(n)};
        if (auto s = n.as_string()) return Sourced<std::string>{s->get(), origin(n)};
        wrong_type(n, what, "a size", "write \"512MiB\", \"4GiB\", \"4GB\" or a number of bytes");
        return std::nullopt;
    }
    std::optional<Sourced<std::string>> duration(const toml::node& n, std::string_view what) {
        if (auto s = n.as_string()) return Sourced<std::string>{s->get(), origin(n)};
        wrong_type(n, what, "a duration string", "write \"90s\", \"5m\", \"1h30m\" or \"250ms\"");
        return std::nullopt;
    }
    std::vector<Sourced<std::string>> strings(const toml::node& n, std::string_view what) {
        std::vector<Sourced<std::string>> out;
        const toml::array* a = n.as_array();
        if (a == nullptr) {
            wrong_type(n, what, "an array of strings", "write [\"...\", \"...\"]");
            return out;
        }
        for (const toml::node& e : *a) {
            if (auto s = e.as_string()) {
                out.push_back({s->get(), origin(e)});
            } else {
                wrong_type(e, std::string(what) + " entries", "strings", "put each entry in double quotes");
            }
        }
        return out;
    }
    void env_set(const toml::node& n) {
        const toml::table* t = n.as_table();
        if (t == nullptr) {
            wrong_type(n, "[env].set", "a table", "write set = { NAME = \"value\" }");
            return;
        }
        for (auto&& [key, value] : *t) {
            auto s = string(value, "[env].set." + std::string(key.str()));
            if (s)
                out_.raw.env_set.push_back(
                    {Sourced<std::string>{std::string(key.str()), at(key.source())}, *s});
        }
    }

    LoadedProfile& out_;
};

bool before(const Diagnostic& a, const Diagnostic& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.col < b.where.col;
}

}  // namespace

LoadedProfile load_profile_text(std::string_view text, const std::string& file, const std::string& dir,
                                bool builtin) {
    LoadedProfile out;
    out.raw.file = file;
    out.raw.dir = dir;
    out.raw.builtin = builtin;

    auto parse_failed = [&](const toml::parse_error& e) {
        const auto& b = e.source().begin;
        out.diagnostics.push_back(
            Diagnostic{Origin{file, static_cast<int>(b.line), static_cast<int>(b.column), {}},
                       "invalid TOML: " + std::string(e.description()),
                       {}});
    };
#if TOML_EXCEPTIONS
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        parse_failed(e);
        return out;
    }
#else
    toml::parse_result parsed = toml::parse(text, file);
    if (!parsed) {
        parse_failed(parsed.error());
        return out;
    }
    toml::table root = std::move(parsed).table();
#endif
    out.parsed = true;
    Loader(out).top(root);
    // toml++ iterates keys in sorted order; users read files top to bottom.
    std::stable_sort(out.diagnostics.begin(), out.diagnostics.end(), before);
    return out;
}

}  // namespace mxc::policy
