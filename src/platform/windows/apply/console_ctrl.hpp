#pragma once
// Console control events while a sandboxed command runs.
//
// Ctrl-C / Ctrl-Break: the command shares mxc's console and process group, so
// the console delivers the event to it directly; mxc ignores it and keeps
// waiting for the command's own exit status.
// Console close / logoff / shutdown: Windows kills mxc a few seconds after the
// handler returns, so the handler runs the emergency cleanup (terminate the
// job, restore ACLs) first. Anything it misses is replayed from the journal at
// the next start.
#include <functional>

namespace mxc::platform::win {

class ConsoleCtrlGuard {
public:
    explicit ConsoleCtrlGuard(std::function<void()> emergency_cleanup);
    ~ConsoleCtrlGuard();
    ConsoleCtrlGuard(const ConsoleCtrlGuard&) = delete;
    ConsoleCtrlGuard& operator=(const ConsoleCtrlGuard&) = delete;
};

// Discards whatever is queued on the console's input buffer and returns how
// many key presses were in it (0 without a console). The command shares the
// console: input it queues with WriteConsoleInputW (the Windows counterpart
// of TIOCSTI) would otherwise be read by the user's shell after mxc exits.
// Called after the job is terminated, before mxc returns.
int flush_console_input();

}  // namespace mxc::platform::win
