#include <cstdio>

#include "cli/options.hpp"

namespace mxc::cli {

int run_check(const CheckOptions& options) {
    bool all_valid = true;
    for (const auto& profile : options.profiles) {
        auto diagnostics = policy::check_profile(profile);
        if (diagnostics.empty()) {
            std::printf("%s: ok\n", profile.c_str());
            continue;
        }
        all_valid = false;
        for (const auto& d : diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    return all_valid ? 0 : 1;
}

}  // namespace mxc::cli
