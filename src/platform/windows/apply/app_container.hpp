#pragma once
// The AppContainer profile of one run, and the SECURITY_CAPABILITIES that
// launch the command inside it. The profile is per run ("mxc.<hash>.<run id>")
// and deleted after it (journaled, so a crashed run's profile is deleted at
// the next start): its AC folder, registry storage and named-object directory
// never carry state from one run to the next.
#include <vector>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

// True when this Windows has the AppContainer profile API (8+, not wine 8).
bool appcontainer_api_available();

class AppContainer {
public:
    static Result<AppContainer> create(const AppContainerSpec& spec);

    // Valid while this object lives.
    SECURITY_CAPABILITIES* capabilities() { return &caps_; }
    [[nodiscard]] PSID sid() const { return sid_.get(); }

private:
    AppContainer() = default;
    SidFromFreeSid sid_;
    std::vector<LocalPtr<void>> capability_sids_;
    std::vector<SID_AND_ATTRIBUTES> attrs_;
    SECURITY_CAPABILITIES caps_{};
};

// DeleteAppContainerProfile: the profile's folder, registry key and object
// directory go with it. A profile that is already gone is not an error.
Status delete_app_container(const std::string& profile_name);

// The package SID WFP filters name, derived from the profile name without
// creating anything. Null when the API is missing.
Result<SidFromFreeSid> appcontainer_sid(const std::string& profile_name);

}  // namespace mxc::platform::win
