#include "platform/windows/apply/desktop.hpp"

#include <sddl.h>

namespace mxc::platform::win {
namespace {

std::wstring window_station_name() {
    wchar_t buf[256] = L"WinSta0";
    DWORD needed = 0;
    HWINSTA ws = GetProcessWindowStation();
    if (ws) GetUserObjectInformationW(ws, UOI_NAME, buf, sizeof buf, &needed);
    return buf;
}

}  // namespace

Result<PrivateDesktop> PrivateDesktop::create(const std::string& name, const std::string& run_sid,
                                              const std::string& user_sid) {
    std::string sddl = "D:(A;;GA;;;SY)(A;;GA;;;" + run_sid + ")";
    if (!user_sid.empty()) sddl += "(A;;GA;;;" + user_sid + ")";
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(widen(sddl).c_str(), SDDL_REVISION_1, &sd,
                                                              nullptr))
        return win_error("desktop security descriptor");
    LocalPtr<void> sd_owner(sd);
    SECURITY_ATTRIBUTES sa{sizeof sa, sd, FALSE};
    PrivateDesktop d;
    std::wstring wname = widen(name);
    d.desk_ = CreateDesktopW(wname.c_str(), nullptr, nullptr, 0, GENERIC_ALL, &sa);
    if (!d.desk_) return win_error("CreateDesktopW(" + name + ")");
    d.startup_name_ = window_station_name() + L"\\" + wname;
    return d;
}

PrivateDesktop::~PrivateDesktop() {
    if (desk_) CloseDesktop(desk_);
}

std::string probe_private_desktop() {
    std::wstring name = L"mxc-probe-" + std::to_wstring(GetCurrentProcessId());
    HDESK d = CreateDesktopW(name.c_str(), nullptr, nullptr, 0, GENERIC_ALL, nullptr);
    if (!d) return win_error_text("CreateDesktopW", GetLastError());
    CloseDesktop(d);
    return {};
}

}  // namespace mxc::platform::win
