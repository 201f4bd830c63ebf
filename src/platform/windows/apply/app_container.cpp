#include "platform/windows/apply/app_container.hpp"

namespace mxc::platform::win {
namespace {

using CreateProfileFn = HRESULT(WINAPI*)(PCWSTR, PCWSTR, PCWSTR, PSID_AND_ATTRIBUTES, DWORD, PSID*);
using DeriveSidFn = HRESULT(WINAPI*)(PCWSTR, PSID*);
using DeleteProfileFn = HRESULT(WINAPI*)(PCWSTR);

constexpr HRESULT kAlreadyExists = HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);

}  // namespace

bool appcontainer_api_available() {
    return find_function(L"userenv.dll", "CreateAppContainerProfile") != nullptr &&
           find_function(L"userenv.dll", "DeriveAppContainerSidFromAppContainerName") != nullptr;
}

Result<SidFromFreeSid> appcontainer_sid(const std::string& profile_name) {
    auto derive = find_function_as<DeriveSidFn>(L"userenv.dll", "DeriveAppContainerSidFromAppContainerName");
    if (!derive)
        return make_error("DeriveAppContainerSidFromAppContainerName is not available on this Windows");
    PSID sid = nullptr;
    HRESULT hr = derive(widen(profile_name).c_str(), &sid);
    if (FAILED(hr))
        return win_error("DeriveAppContainerSidFromAppContainerName(" + profile_name + ")",
                         static_cast<DWORD>(hr));
    return SidFromFreeSid(sid);
}

Status delete_app_container(const std::string& profile_name) {
    auto del = find_function_as<DeleteProfileFn>(L"userenv.dll", "DeleteAppContainerProfile");
    if (!del)
        return make_error("DeleteAppContainerProfile is not available: AppContainer " + profile_name +
                          " kept");
    HRESULT hr = del(widen(profile_name).c_str());
    if (FAILED(hr) && hr != HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) &&
        hr != HRESULT_FROM_WIN32(ERROR_NOT_FOUND))
        return win_error("DeleteAppContainerProfile(" + profile_name + ")", static_cast<DWORD>(hr));
    return {};
}

Result<AppContainer> AppContainer::create(const AppContainerSpec& spec) {
    auto create = find_function_as<CreateProfileFn>(L"userenv.dll", "CreateAppContainerProfile");
    if (!create) return make_error("CreateAppContainerProfile is not available on this Windows");

    AppContainer ac;
    for (const auto& s : spec.capability_sids) {
        auto sid = sid_from_string(s);
        if (!sid) return sid.error();
        ac.attrs_.push_back({sid->get(), SE_GROUP_ENABLED});
        ac.capability_sids_.push_back(std::move(*sid));
    }
    // The profile's stored capability list is informational; what counts is
    // the list in SECURITY_CAPABILITIES at launch, so an existing profile is
    // simply reused.
    PSID sid = nullptr;
    std::wstring name = widen(spec.profile_name);
    HRESULT hr = create(name.c_str(), widen(spec.display_name).c_str(), L"mxc sandbox", nullptr, 0, &sid);
    if (hr == kAlreadyExists) {
        auto derived = appcontainer_sid(spec.profile_name);
        if (!derived) return derived.error();
        ac.sid_ = std::move(*derived);
    } else if (FAILED(hr)) {
        return win_error("CreateAppContainerProfile(" + spec.profile_name + ")", static_cast<DWORD>(hr));
    } else {
        ac.sid_.reset(sid);
    }
    ac.caps_.AppContainerSid = ac.sid_.get();
    ac.caps_.Capabilities = ac.attrs_.empty() ? nullptr : ac.attrs_.data();
    ac.caps_.CapabilityCount = static_cast<DWORD>(ac.attrs_.size());
    return ac;
}

}  // namespace mxc::platform::win
