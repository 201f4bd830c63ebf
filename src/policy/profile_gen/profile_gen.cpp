// mxc_profile_gen OUT.cpp: parses every built-in profile with the run-time
// loader and writes each RawProfile as C++ (precompiled_profiles.hpp). A
// built-in that does not load cleanly fails the build.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "policy/builtins.hpp"
#include "policy/load.hpp"
#include "policy/raw_profile.hpp"

using namespace mxc::policy;

namespace {

// Octal escapes: unlike \x, they never swallow the next character.
std::string literal(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string value(const std::string& v) {
    return "std::string(" + literal(v) + ", " + std::to_string(v.size()) + ")";
}
std::string value(std::int64_t v) {
    return "std::int64_t{" + std::to_string(v) + "}";
}
std::string value(bool v) {
    return v ? "true" : "false";
}

std::string origin(const Origin& o) {
    return "Origin{" + value(o.file) + ", " + std::to_string(o.line) + ", " + std::to_string(o.col) + ", " +
           value(o.flag) + "}";
}

template <class T>
std::string sourced(const Sourced<T>& s) {
    return "{" + value(s.value) + ", " + origin(s.origin) + "}";
}

class Emitter {
public:
    template <class T>
    void optional(const char* field, const std::optional<Sourced<T>>& v) {
        if (v) out_ += std::string("    r.") + field + " = Sourced<" + type<T>() + ">" + sourced(*v) + ";\n";
    }
    template <class T>
    void list(const char* field, const std::vector<Sourced<T>>& v) {
        for (const auto& e : v)
            out_ +=
                std::string("    r.") + field + ".push_back(Sourced<" + type<T>() + ">" + sourced(e) + ");\n";
    }
    void env_set(const std::vector<RawEnvSet>& v) {
        for (const auto& e : v)
            out_ += "    r.env_set.push_back(RawEnvSet{Sourced<std::string>" + sourced(e.name) +
                    ", Sourced<std::string>" + sourced(e.value) + "});\n";
    }
    void plain(const char* field, const std::string& text) {
        out_ += std::string("    r.") + field + " = " + text + ";\n";
    }
    std::string take() { return std::move(out_); }

private:
    template <class T>
    static const char* type() {
        if constexpr (std::is_same_v<T, std::string>) {
            return "std::string";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return "std::int64_t";
        } else {
            static_assert(std::is_same_v<T, bool>);
            return "bool";
        }
    }
    std::string out_;
};

// Every field of RawProfile; a field added there and not here makes the
// unit test's comparison with a fresh parse fail.
std::string emit(const RawProfile& p) {
    Emitter e;
    e.plain("file", value(p.file));
    e.plain("dir", value(p.dir));
    e.plain("builtin", value(p.builtin));
    e.plain("empty", value(p.empty));
    e.plain("schema_written", value(p.schema_written));
    e.optional("schema", p.schema);
    e.optional("name", p.name);
    e.optional("description", p.description);
    e.list("extends", p.extends);
    e.optional("best_effort", p.best_effort);
    e.optional("agent_id", p.agent_id);
    e.list("fs_read", p.fs_read);
    e.list("fs_write", p.fs_write);
    e.list("fs_deny", p.fs_deny);
    e.optional("fs_missing", p.fs_missing);
    e.list("fs_protect", p.fs_protect);
    e.optional("net_mode", p.net_mode);
    e.list("net_allow", p.net_allow);
    e.list("net_deny", p.net_deny);
    e.list("net_unix", p.net_unix);
    e.list("env_pass", p.env_pass);
    e.list("env_deny", p.env_deny);
    e.env_set(p.env_set);
    e.optional("memory", p.memory);
    e.optional("file_size", p.file_size);
    e.optional("processes", p.processes);
    e.optional("open_files", p.open_files);
    e.optional("cpu_time", p.cpu_time);
    e.optional("wall_time", p.wall_time);
    e.optional("win_isolation", p.win_isolation);
    e.optional("win_desktop", p.win_desktop);
    e.optional("win_clipboard", p.win_clipboard);
    e.list("seccomp_allow", p.seccomp_allow);
    e.plain("audit_written", value(p.audit_written));
    e.optional("audit_sink", p.audit_sink);
    e.optional("audit_path", p.audit_path);
    return e.take();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: mxc_profile_gen OUT.cpp\n");
        return 2;
    }
    std::string functions;
    std::string table;
    int index = 0;
    for (const auto& p : embedded_profiles()) {
        const std::string name(p.name);
        const LoadedProfile loaded = load_profile_text(without_comments(p.text), "builtin:" + name, "", true);
        if (!loaded.parsed || !loaded.diagnostics.empty()) {
            std::fprintf(stderr, "mxc_profile_gen: built-in profile %s does not load cleanly\n",
                         name.c_str());
            return 1;
        }
        const std::string fn = "make_" + std::to_string(index++);
        functions +=
            "RawProfile " + fn + "() {\n    RawProfile r;\n" + emit(loaded.raw) + "    return r;\n}\n\n";
        table += "    {" + literal(name) + ", " + fn + "},\n";
    }
    const std::string text =
        "// Generated by mxc_profile_gen from policies/*.toml. Do not edit.\n"
        "#include <cstdint>\n#include <string>\n\n"
        "#include \"policy/precompiled_profiles.hpp\"\n\n"
        "namespace mxc::policy {\nnamespace {\n\n" +
        functions + "constexpr PrecompiledProfile kProfiles[] = {\n" + table +
        "};\n\n}  // namespace\n\n"
        "std::span<const PrecompiledProfile> precompiled_profiles() { return kProfiles; }\n\n"
        "}  // namespace mxc::policy\n";
    std::FILE* f = std::fopen(argv[1], "w");
    if (f == nullptr) return 1;
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    return std::fclose(f) == 0 && ok ? 0 : 1;
}
