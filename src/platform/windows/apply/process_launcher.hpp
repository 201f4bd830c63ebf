#pragma once
// Starts the command suspended, so it can be put in the job before it runs a
// single instruction (a process that ran first could spawn children outside
// the job). Only the three stdio handles are inherited
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), whatever else mxc has open.
#include <string>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"

namespace mxc::platform::win {

struct LaunchSpec {
    std::wstring application;                       // resolved executable path
    std::wstring command_line;                      // build_command_line(argv)
    std::wstring cwd;                               // "" = mxc's
    std::wstring environment;                       // NAME=VALUE\0...\0\0
    std::wstring desktop;                           // "" = caller's
    HANDLE token = nullptr;                         // restricted token, or null (same token / AppContainer)
    SECURITY_CAPABILITIES* capabilities = nullptr;  // AppContainer, or null
    bool child_process_restricted = false;
    bool win32k_disabled = false;
};

struct LaunchedProcess {
    UniqueHandle process;
    UniqueHandle thread;
    DWORD pid = 0;
};

struct LaunchFailure {
    DWORD code = 0;  // GetLastError of the failing call (for 126/127)
    std::string message;
};

// On failure returns the error and fills `failure`.
Result<LaunchedProcess> launch_suspended(const LaunchSpec& spec, LaunchFailure& failure);

}  // namespace mxc::platform::win
