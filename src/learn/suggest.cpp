#include <set>

#include "learn/env_suggest.hpp"
#include "learn/fs_suggest.hpp"
#include "learn/host_suggest.hpp"
#include "learn/suggestion.hpp"

namespace mxc::learn {

std::string basename_of(const std::string& program) {
    if (program.empty()) return "?";
    const auto slash = program.find_last_of("/\\");
    const std::string name = slash == std::string::npos ? program : program.substr(slash + 1);
    return name.empty() ? "?" : name;
}

std::string programs_text(const std::vector<std::string>& programs) {
    constexpr std::size_t kShown = 3;
    std::string out;
    for (std::size_t i = 0; i < programs.size() && i < kShown; ++i) out += (i == 0 ? "" : ", ") + programs[i];
    if (programs.size() > kShown) out += " +" + std::to_string(programs.size() - kShown);
    return out;
}

Suggestion suggest(const SuggestInput& input) {
    Suggestion out;
    suggest_paths(input, out);

    const auto& base = *input.base;
    out.hosts = suggest_hosts(input.observations->hosts, &base.network, out.hosts_not_learned);
    out.hosts_needed = !out.hosts.empty();

    // Every program the run used: the ones that made a call, and the ones it
    // executed (a program that only ran others still counts).
    std::set<std::string> programs;
    for (const auto& f : input.observations->files) {
        if (!f.program.empty()) programs.insert(basename_of(f.program));
        if (f.access == FsAccess::Execute) programs.insert(basename_of(f.path));
    }
    for (const auto& h : input.observations->hosts) {
        if (!h.program.empty()) programs.insert(basename_of(h.program));
    }
    out.env = suggest_env({programs.begin(), programs.end()}, input.env_names, base.env);
    return out;
}

}  // namespace mxc::learn
