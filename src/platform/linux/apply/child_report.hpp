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
    WaitStatus = 'W',  // the command's raw wait status; decimal. Last: init sends it once
                       // the namespace holds no process but itself
    Usage = 'U',       // CPU ms and peak RSS KiB of every reaped process; "CPU_MS MAX_RSS_KB"
    Warning = 'w',     // non-fatal setup caveat; text
    Step = 'S',        // a setup step done (-v only); "MICROSECONDS NAME"
    LayerWrite = 'L',  // learning: a path written to the throwaway layer (after the command)
};

// One setup step inside the sandbox and how long it took.
struct StepTiming {
    std::string name;
    long usec = 0;
};

// Async-signal-safe enough for a forked child: one write, no allocation
// beyond the message string itself.
void send_report(int fd, ReportTag tag, const std::string& payload);

// A monotonic clock reading in microseconds, for step timings.
long monotonic_usec();

// Reports that step `name` (a string literal) started at `since_usec`.
// Allocates nothing: it also runs after RLIMIT_AS, on the clone stack.
void send_step(int fd, const char* name, long since_usec);

struct ChildReports {
    std::string setup_error;
    int exec_errno = 0;
    bool has_wait_status = false;
    int wait_status = 0;
    bool has_usage = false;
    unsigned long long cpu_ms = 0;
    unsigned long long max_rss_kb = 0;
    std::vector<std::string> warnings;
    std::vector<StepTiming> steps;          // in the order they were done
    std::vector<std::string> layer_writes;  // learning: paths in the throwaway layer
};

// Parses everything read from the pipe; incomplete trailing bytes are ignored.
// The sandbox side of -v: one Step report per finished step. Inactive
// (fd < 0) it reads no clock and writes nothing.
struct StepClock {
    int fd = -1;
    long since = 0;
    StepClock(bool on, int report_fd) : fd(on ? report_fd : -1), since(on ? monotonic_usec() : 0) {}
    void done(const char* name) {
        if (fd < 0) return;
        send_step(fd, name, since);
        since = monotonic_usec();
    }
};

ChildReports parse_reports(const std::string& bytes);

// The same, a piece at a time: parses the complete messages of `bytes` from
// offset `from` into `into` and returns where the first incomplete one
// starts (the next call's `from`). Each byte is parsed once however many
// reads it arrives in.
std::size_t parse_reports_into(ChildReports& into, const std::string& bytes, std::size_t from);

}  // namespace mxc::lnx
