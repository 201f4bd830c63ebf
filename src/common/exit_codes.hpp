#pragma once
// mxc's own exit statuses, the one place they are defined (docs/design.md,
// the exit-code contract): every other status of `mxc exec` and `mxc learn`
// is the command's own (its exit code, or 128+N for signal N).
namespace mxc::exit_code {

inline constexpr int kTimeout = 124;        // limits.wall_time expired
inline constexpr int kMxcFailure = 125;     // mxc itself failed (usage, profile, setup)
inline constexpr int kNotExecutable = 126;  // the command exists but could not be run
inline constexpr int kNotFound = 127;       // the command was not found

// Why the command could not be started, as each platform reports it (ENOENT
// from execve on Linux, ERROR_FILE_NOT_FOUND from CreateProcess on Windows).
enum class ExecFailure { NotFound, NotExecutable };

constexpr int of(ExecFailure f) {
    return f == ExecFailure::NotFound ? kNotFound : kNotExecutable;
}

}  // namespace mxc::exit_code
