#include "platform/windows/apply/host_probe.hpp"

#include <windows.h>

#include <cstdio>
#include <random>

#include "platform/windows/apply/app_container.hpp"
#include "platform/windows/apply/desktop.hpp"
#include "platform/windows/apply/restricted_token.hpp"
#include "platform/windows/apply/wfp_filters.hpp"
#include "platform/windows/plan/win_constants.hpp"

namespace mxc::platform::win {
namespace {

std::uint32_t os_build() {
    // GetVersionEx lies to unmanifested programs; RtlGetVersion does not.
    using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
    auto fn = find_function_as<RtlGetVersionFn>(L"ntdll.dll", "RtlGetVersion");
    if (!fn) return 0;
    OSVERSIONINFOW v{};
    v.dwOSVersionInfoSize = sizeof v;
    if (fn(&v) != 0) return 0;
    return v.dwBuildNumber;
}

}  // namespace

std::string random_run_id() {
    std::random_device rd;  // mingw-w64: rand_s, i.e. RtlGenRandom
    std::string id;
    char buf[9];
    for (int i = 0; i < 4; ++i) {
        std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
        id += buf;
    }
    return id;
}

HostProbe probe_windows_host() {
    HostProbe p;
    auto& f = p.facts;
    f.os_build = os_build();
    f.appcontainer_supported = appcontainer_api_available();
    f.wfp_error = probe_wfp_engine();
    f.wfp_available = f.wfp_error == 0;
    p.desktop_problem = probe_private_desktop();
    f.private_desktop_available = p.desktop_problem.empty();
    auto sids = caller_sids();
    f.user_sid = sids.user;
    f.logon_sid = sids.logon;
    RestrictedTokenSpec probe_spec;
    probe_spec.flags = k::kDisableMaxPrivilege;
    auto token = create_restricted_token(probe_spec);
    if (!token) p.token_problem = token.error().message;
    return p;
}

}  // namespace mxc::platform::win
