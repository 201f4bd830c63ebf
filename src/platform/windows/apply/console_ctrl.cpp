#include "platform/windows/apply/console_ctrl.hpp"

#include <windows.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "platform/windows/apply/win_util.hpp"

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

int flush_console_input() {
    // CONIN$ is the console's input buffer even when stdin is redirected.
    UniqueHandle in(CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_EXISTING, 0, nullptr));
    if (!in.valid()) return 0;
    DWORD queued = 0;
    if (!GetNumberOfConsoleInputEvents(in.get(), &queued) || queued == 0) return 0;
    // Count key presses only: the key-up of the Enter that started mxc and
    // focus/mouse events are not worth a message.
    std::vector<INPUT_RECORD> events(std::min<DWORD>(queued, 4096));
    DWORD seen = 0;
    int presses = 0;
    if (PeekConsoleInputW(in.get(), events.data(), static_cast<DWORD>(events.size()), &seen)) {
        for (DWORD i = 0; i < seen; ++i)
            if (events[i].EventType == KEY_EVENT && events[i].Event.KeyEvent.bKeyDown) ++presses;
    }
    FlushConsoleInputBuffer(in.get());
    return presses;
}

}  // namespace mxc::platform::win
