#include <cstdio>

#include "cli/managed_source.hpp"
#include "cli/options.hpp"
#include "common/json.hpp"
#include "common/version.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {

namespace {

// Whether a managed policy (docs/managed.md) is in force, for one line of output.
struct ManagedStatus {
    std::string path;
    std::string state;   // "in force", "none", "error"
    std::string detail;  // sha256, or the trust / parse error
};

ManagedStatus managed_status() {
    ManagedStatus s;
    s.path = managed_policy_path();
    auto loaded = load_managed_policy();
    if (!loaded) {
        s.state = "error";
        s.detail = loaded.error().message;
    } else if (!*loaded) {
        s.state = "none";
        s.detail = "no file: no managed layer";
    } else {
        s.state = "in force";
        s.detail = "sha256 " + (*loaded)->sha256;
    }
    return s;
}

}  // namespace

int run_doctor(const DoctorOptions& options) {
    auto caps = platform::probe_host();
    const ManagedStatus managed = managed_status();
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
                                .raw("managed", json::Object{}
                                                    .field("path", managed.path)
                                                    .field("state", managed.state)
                                                    .field("detail", managed.detail)
                                                    .str())
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
    std::printf("managed policy %s: %s", managed.path.c_str(), managed.state.c_str());
    if (managed.state == "error") {
        std::printf(" (every run is refused)\n%s\n", managed.detail.c_str());
    } else {
        std::printf(" (%s)\n", managed.detail.c_str());
    }
    return 0;
}

}  // namespace mxc::cli
