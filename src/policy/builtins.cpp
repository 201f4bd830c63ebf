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

std::string without_comments(std::string_view text) {
    // A '#' inside a multi-line string would need more than a line's view.
    if (text.find("\"\"\"") != std::string_view::npos || text.find("'''") != std::string_view::npos)
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t eol = text.find('\n', at);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view line = text.substr(at, eol - at);
        // The first '#' outside a "basic" (backslash escapes) or 'literal' string.
        char quote = 0;
        std::size_t cut = line.size();
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quote != 0) {
                if (quote == '"' && c == '\\') {
                    ++i;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#') {
                cut = i;
                break;
            }
        }
        if (cut < line.size()) {
            while (cut > 0 && (line[cut - 1] == ' ' || line[cut - 1] == '\t')) --cut;
        }
        out.append(line.substr(0, cut));
        if (eol < text.size()) out += '\n';
        at = eol + 1;
    }
    return out;
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
