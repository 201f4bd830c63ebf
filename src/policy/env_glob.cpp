#include "policy/env_glob.hpp"

#include <cstddef>

namespace mxc::policy {
namespace {

char fold(char c, NameCase name_case) {
    if (name_case == NameCase::Insensitive && c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
    return c;
}

}  // namespace

bool env_glob_match(std::string_view pattern, std::string_view name, NameCase name_case) {
    // Iterative '*' backtracking: linear in practice, and no recursion depth
    // for a hostile pattern of many stars.
    std::size_t p = 0;
    std::size_t s = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (s < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = s;
        } else if (p < pattern.size() &&
                   (pattern[p] == '?' || fold(pattern[p], name_case) == fold(name[s], name_case))) {
            ++p;
            ++s;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace mxc::policy
