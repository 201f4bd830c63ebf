#pragma once
// A private desktop on the caller's window station: windows the command
// creates are invisible to (and cannot send input to) the user's desktop.
#include <string>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"

namespace mxc::platform::win {

class PrivateDesktop {
public:
    // Access is granted to the run SID, the caller's user SID and SYSTEM only.
    static Result<PrivateDesktop> create(const std::string& name, const std::string& run_sid,
                                         const std::string& user_sid);
    PrivateDesktop(PrivateDesktop&& o) noexcept
        : desk_(std::exchange(o.desk_, nullptr)), startup_name_(std::move(o.startup_name_)) {}
    PrivateDesktop& operator=(PrivateDesktop&&) = delete;
    ~PrivateDesktop();
    // "WinSta0\mxc-..." for STARTUPINFO.lpDesktop.
    [[nodiscard]] const std::wstring& startup_name() const { return startup_name_; }

private:
    PrivateDesktop() = default;
    HDESK desk_ = nullptr;
    std::wstring startup_name_;
};

// Probe: can this session create a desktop? "" if yes, else the reason.
std::string probe_private_desktop();

}  // namespace mxc::platform::win
