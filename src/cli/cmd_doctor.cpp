#include <cstdio>

#include "cli/options.hpp"
#include "common/json.hpp"
#include "common/version.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {

int run_doctor(const DoctorOptions& options) {
    auto caps = platform::probe_host();
    if (options.json) {
        std::vector<std::string> items;
        items.reserve(caps.size());
        for (const auto& c : caps) {
            items.push_back(json::Object{}
                                .field("name", c.name)
                                .field("available", c.available)
                                .field("detail", c.detail)
                                .str());
        }
        std::printf("%s\n", json::Object{}
                                .field("version", kVersion)
                                .field("platform", platform::platform_name())
                                .raw("capabilities", json::array(items))
                                .str()
                                .c_str());
        return 0;
    }
    std::printf("mxc %s on %s\n", kVersion, platform::platform_name());
    std::size_t width = 0;
    for (const auto& c : caps) width = std::max(width, c.name.size());
    for (const auto& c : caps) {
        std::printf("  %-4s %-*s  %s\n", c.available ? "yes" : "no", static_cast<int>(width), c.name.c_str(),
                    c.detail.c_str());
    }
    return 0;
}

}  // namespace mxc::cli
