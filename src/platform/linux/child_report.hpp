#pragma once
// Messages from the sandbox (init and the command child, before execve) to the
// supervisor over a CLOEXEC pipe. A successful execve closes the command's
// copy, so the command itself can never write here. Each message is one
// write() smaller than PIPE_BUF, hence atomic.
#include <string>
#include <vector>

namespace mxc::lnx {

enum class ReportTag : char {
    SetupError = 'E',  // init or command child failed before execve; text
    ExecErrno = 'X',   // execve failed; decimal errno
    WaitStatus = 'W',  // the command's raw wait status; decimal
    Warning = 'w',     // non-fatal setup caveat; text
};

// Async-signal-safe enough for a forked child: one write, no allocation
// beyond the message string itself.
void send_report(int fd, ReportTag tag, const std::string& payload);

struct ChildReports {
    std::string setup_error;
    int exec_errno = 0;
    bool has_wait_status = false;
    int wait_status = 0;
    std::vector<std::string> warnings;
};

// Parses everything read from the pipe; incomplete trailing bytes are ignored.
ChildReports parse_reports(const std::string& bytes);

}  // namespace mxc::lnx
