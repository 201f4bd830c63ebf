#include "platform/windows/plan/environment.hpp"

#include <algorithm>

#include "platform/windows/plan/win_path.hpp"
#include "policy/env_glob.hpp"

namespace mxc::platform::win {

bool env_glob_match(const std::string& pattern, const std::string& name) {
    return policy::env_glob_match(pattern, name, policy::NameCase::Insensitive);
}

const std::vector<std::string>& essential_windows_variables() {
    static const std::vector<std::string> v = {"SystemRoot", "windir", "SystemDrive", "ComSpec", "PATHEXT"};
    return v;
}

EnvList build_child_environment(const policy::EnvRules& rules, const EnvList& caller,
                                const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::pair<std::string, std::string>> out;  // folded name -> (name, value)
    auto denied = [&](const std::string& name) {
        return std::any_of(rules.deny.begin(), rules.deny.end(),
                           [&](const auto& d) { return env_glob_match(d.value, name); });
    };
    for (const auto& entry : caller) {
        const std::string& name = entry.first;
        const std::string& value = entry.second;
        if (name.empty() || name[0] == '=') continue;  // "=C:" per-drive cwd entries belong to the caller
        bool pass = std::any_of(rules.pass.begin(), rules.pass.end(),
                                [&](const auto& p) { return env_glob_match(p.value, name); });
        pass = pass || std::any_of(essential_windows_variables().begin(), essential_windows_variables().end(),
                                   [&](const std::string& e) { return path_equal(e, name); });
        if (pass && !denied(name)) out[fold_case(name)] = {name, value};
    }
    for (const auto& [name, value] : rules.set) out[fold_case(name)] = {name, value.value};
    for (const auto& [name, value] : extra) out[fold_case(name)] = {name, value};
    EnvList list;
    list.reserve(out.size());
    for (auto& [folded, nv] : out) list.push_back(nv);
    return list;  // std::map iteration order == sorted by upper-cased name
}

}  // namespace mxc::platform::win
