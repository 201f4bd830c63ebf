#include "policy/builtins.hpp"

#include <algorithm>

#include "policy/load.hpp"
#include "policy/policy.hpp"

namespace mxc::policy {

std::optional<std::string_view> builtin_text(std::string_view name) {
    for (const auto& p : embedded_profiles()) {
        if (p.name == name) return p.text;
    }
    return std::nullopt;
}

const std::vector<BuiltinProfile>& builtin_profiles() {
    static const std::vector<BuiltinProfile> profiles = [] {
        std::vector<BuiltinProfile> out;
        for (const auto& p : embedded_profiles()) {
            std::string name(p.name);
            auto loaded = load_profile_text(p.text, "builtin:" + name, "", true);
            std::string description = loaded.raw.description ? loaded.raw.description->value : "";
            out.push_back(BuiltinProfile{name, description, p.text});
        }
        std::sort(out.begin(), out.end(),
                  [](const BuiltinProfile& a, const BuiltinProfile& b) { return a.name < b.name; });
        return out;
    }();
    return profiles;
}

}  // namespace mxc::policy
