#include <algorithm>
#include <cstdio>

#include "cli/options.hpp"

namespace mxc::cli {

int run_profiles() {
    const auto& profiles = policy::builtin_profiles();
    std::size_t width = 0;
    for (const auto& p : profiles) width = std::max(width, p.name.size());
    for (const auto& p : profiles) {
        std::printf("%-*s  %s\n", static_cast<int>(width), p.name.c_str(), p.description.c_str());
    }
    return 0;
}

}  // namespace mxc::cli
