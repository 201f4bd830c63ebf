#include "learn/env_suggest.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "policy/env_glob.hpp"

namespace mxc::learn {
namespace {

// Which variables each family of programs reads, from their manuals. Kept
// to settings; anything that can carry a credential (GIT_CONFIG_PARAMETERS,
// PIP_INDEX_URL with a password in it, CCACHE_REMOTE_STORAGE) is left out.
struct Family {
    std::string_view programs;   // space-separated basenames, version suffix stripped
    std::string_view variables;  // space-separated names or globs
};
constexpr Family kFamilies[] = {
    {"git",
     "GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL "
     "GIT_COMMITTER_DATE GIT_SSH_COMMAND GIT_SSH GIT_EDITOR GIT_PAGER GIT_CONFIG_GLOBAL "
     "GIT_CONFIG_NOSYSTEM GIT_CEILING_DIRECTORIES"},
    {"ssh scp sftp", "SSH_AUTH_SOCK"},
    {"node npm npx yarn pnpm corepack", "npm_config_* NPM_CONFIG_* NODE_OPTIONS NODE_PATH NODE_ENV NVM_DIR"},
    {"python pip pipx uv poetry",
     "PYTHONPATH PYTHONHOME VIRTUAL_ENV CONDA_PREFIX PYTHONDONTWRITEBYTECODE "
     "PYTHONUNBUFFERED PYTHONIOENCODING"},
    {"cargo rustc rustup rustdoc",
     "CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN RUSTFLAGS CARGO_TARGET_DIR "
     "RUST_BACKTRACE RUST_LOG"},
    {"make gmake cc c++ gcc g++ clang clang++ ld cmake ninja ccache sccache",
     "CC CXX CFLAGS CXXFLAGS CPPFLAGS LDFLAGS MAKEFLAGS CCACHE_DIR CCACHE_BASEDIR CCACHE_MAXSIZE "
     "CCACHE_DISABLE PKG_CONFIG_PATH CMAKE_PREFIX_PATH CMAKE_GENERATOR"},
    {"go", "GOPATH GOROOT GOFLAGS GOCACHE GOMODCACHE GOTOOLCHAIN"},
};

// A socket path, not a secret; listed for ssh on purpose (the base's deny
// is then reported next to it).
constexpr std::string_view kNotSecret[] = {"SSH_AUTH_SOCK"};

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t j = std::min(s.find(' ', i), s.size());
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// "python3.11" -> "python", "gcc-12" -> "gcc": version suffixes dropped.
std::string_view family_key(std::string_view program) {
    while (!program.empty()) {
        const char c = program.back();
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-')) break;
        program.remove_suffix(1);
    }
    return program;
}

bool plain_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

std::vector<std::string_view> known_variables(std::string_view program) {
    const std::string_view key = family_key(program);
    for (const auto& f : kFamilies) {
        const auto names = words(f.programs);
        if (std::find(names.begin(), names.end(), program) != names.end() ||
            std::find(names.begin(), names.end(), key) != names.end())
            return words(f.variables);
    }
    return {};
}

bool looks_secret(std::string_view name) {
    if (std::find(std::begin(kNotSecret), std::end(kNotSecret), name) != std::end(kNotSecret)) return false;
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view word : {"token", "secret", "passw", "credential", "apikey", "api_key", "private",
                                  "cookie", "session", "cert", "_pat"}) {
        if (lower.find(word) != std::string::npos) return true;
    }
    // "auth" (npm's _auth, _authToken), but not GIT_AUTHOR_*.
    for (std::size_t at = lower.find("auth"); at != std::string::npos; at = lower.find("auth", at + 1)) {
        if (lower.compare(at, 6, "author") != 0) return true;
    }
    return lower.size() >= 4 &&
           (lower.rfind("_key") == lower.size() - 4 || lower.find("_key_") != std::string::npos);
}

std::vector<std::string> env_names(const std::vector<std::string>& environ_entries) {
    std::vector<std::string> out;
    out.reserve(environ_entries.size());
    for (const auto& e : environ_entries) out.push_back(e.substr(0, e.find('=')));
    return out;
}

std::vector<EnvNeed> suggest_env(const std::vector<std::string>& programs,
                                 const std::vector<std::string>& env_names, const policy::EnvRules& base) {
    std::map<std::string, EnvNeed> by_name;
    for (const auto& program : programs) {
        for (std::string_view pattern : known_variables(program)) {
            for (const auto& name : env_names) {
                if (!plain_name(name) || looks_secret(name) || !policy::env_glob_match(pattern, name))
                    continue;
                if (base.set.count(name) != 0) continue;
                std::string denied_by;
                for (const auto& d : base.deny) {
                    if (policy::env_glob_match(d.value, name)) {
                        denied_by = d.value;
                        break;
                    }
                }
                const bool passed = std::any_of(base.pass.begin(), base.pass.end(), [&](const auto& p) {
                    return policy::env_glob_match(p.value, name);
                });
                if (passed && denied_by.empty()) continue;
                auto& need = by_name[name];
                need.name = name;
                need.denied_by = denied_by;
                if (std::find(need.programs.begin(), need.programs.end(), program) == need.programs.end())
                    need.programs.push_back(program);
            }
        }
    }
    std::vector<EnvNeed> out;
    for (auto& [name, need] : by_name) {
        std::sort(need.programs.begin(), need.programs.end());
        out.push_back(std::move(need));
    }
    return out;
}

}  // namespace mxc::learn
