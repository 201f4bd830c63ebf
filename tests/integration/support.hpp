#pragma once
// Helpers for the Linux backend integration tests: run the test driver (a
// thin front end over mxc::platform::exec) as the test identity, either to
// completion or in the background to signal it.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace mxc::itest {

// Sanitizer builds: tests that starve mxc of fds or LD_PRELOAD a shim into it
// break the sanitizer's runtime, not mxc; those run in the Release build.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// Runs `mxc-sandbox-driver -w WS ARGS...` in `cwd` (default: WS).
test::RunResult sandbox(const std::string& ws, const std::vector<std::string>& args,
                        const std::string& stdin_data = {},
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

// A process started in the background with stdout/stderr captured in files.
class Background {
public:
    Background(const std::vector<std::string>& argv, const std::string& cwd);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    [[nodiscard]] pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Waits up to `limit`; returns the shell-style status, -1 on timeout.
    int wait(std::chrono::milliseconds limit = std::chrono::milliseconds(10000));
    [[nodiscard]] std::string out() const;
    [[nodiscard]] std::string err() const;

private:
    pid_t pid_ = -1;
    std::string out_path_, err_path_;
    bool reaped_ = false;
};

// PATH and LANG only, no proxy variables: bare controls of network tests go
// direct, and runs through mxc get only what mxc itself adds.
const std::map<std::string, std::string>& plain_env();

// `command` without mxc, in `ws`, with plain_env() (15 s at most): the
// control run of a network test.
test::RunResult bare(const test::TempDir& ws, const std::vector<std::string>& command);

bool contains(const std::string& haystack, const std::string& needle);

std::vector<std::string> driver_argv(const std::string& ws, const std::vector<std::string>& args);

// Polls until `path` exists (the sandboxed command's "ready" marker).
bool wait_for_file(const std::string& path,
                   std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

// Host pids whose command line contains `marker` (e.g. a unique sleep value).
std::vector<pid_t> processes_with(const std::string& marker);

// Polls until no process carries `marker`.
bool wait_until_gone(const std::string& marker,
                     std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

}  // namespace mxc::itest
