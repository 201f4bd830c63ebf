// Names and SIDs derived from the policy and the run id. FNV-1a is not a
// security boundary here: the run id is random, and the container name only
// needs to be stable per (profile, workspace) and short (AppContainer names
// are limited to 64 characters).
#include <cstdint>
#include <cstdio>
#include <string>

#include "platform/windows/plan/win_path.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {
namespace {

std::uint64_t fnv1a(std::string_view data, std::uint64_t seed) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

}  // namespace

std::string appcontainer_profile_name(const std::string& profile, const std::string& workspace) {
    // Case-folded workspace: C:\Work and c:\work are the same directory.
    std::uint64_t h = fnv1a(profile + '\n' + fold_case(workspace), 0);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string("mxc.") + buf;
}

std::string run_capability_sid(const std::string& run_id) {
    // Same shape as the SIDs DeriveCapabilitySidsFromName makes for named
    // capabilities (S-1-15-3-1024 + 8 sub-authorities), so tools display it as
    // a capability; nobody else can hold it.
    std::string sid = "S-1-15-3-1024";
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        std::uint64_t h = fnv1a("mxc.run." + run_id, seed * 0x9e3779b97f4a7c15ULL);
        sid += "-" + std::to_string(static_cast<std::uint32_t>(h >> 32));
        sid += "-" + std::to_string(static_cast<std::uint32_t>(h));
    }
    return sid;
}

}  // namespace mxc::platform::win
