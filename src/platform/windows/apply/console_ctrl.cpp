#include "platform/windows/apply/console_ctrl.hpp"

#include <windows.h>

#include <mutex>

namespace mxc::platform::win {
namespace {

std::mutex g_mutex;
std::function<void()> g_cleanup;

BOOL WINAPI on_console_event(DWORD type) {
    switch (type) {
        case CTRL_C_EVENT:
        case CTRL_BREAK_EVENT:
            return TRUE;  // the command got it too; its exit status decides
        case CTRL_CLOSE_EVENT:
        case CTRL_LOGOFF_EVENT:
        case CTRL_SHUTDOWN_EVENT: {
            std::function<void()> cleanup;
            {
                std::lock_guard<std::mutex> lock(g_mutex);
                cleanup = std::exchange(g_cleanup, nullptr);
            }
            if (cleanup) cleanup();
            return FALSE;  // let the default handler end mxc
        }
        default:
            return FALSE;
    }
}

}  // namespace

ConsoleCtrlGuard::ConsoleCtrlGuard(std::function<void()> emergency_cleanup) {
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        g_cleanup = std::move(emergency_cleanup);
    }
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

ConsoleCtrlGuard::~ConsoleCtrlGuard() {
    SetConsoleCtrlHandler(on_console_event, FALSE);
    std::lock_guard<std::mutex> lock(g_mutex);
    g_cleanup = nullptr;
}

}  // namespace mxc::platform::win
