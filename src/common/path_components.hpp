#pragma once
// Splitting a slash-separated path into its names, for the code that walks a
// path one component at a time instead of letting the kernel follow links.
#include <string>
#include <string_view>
#include <vector>

namespace mxc {

// "/a//b/c/" -> {"a", "b", "c"}: empty components dropped, "." and ".." kept
// (the walker decides what they mean).
inline std::vector<std::string> path_components(std::string_view path) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        if (next > pos) out.emplace_back(path.substr(pos, next - pos));
        pos = next + 1;
    }
    return out;
}

}  // namespace mxc
