#pragma once
// -v: each setup step of a launch and how long it took, on stderr through
// mxc's logger ("mxc: info: setup: mounts: 0.84 ms"), so a user can see
// which step failed or is slow. Callers check log::verbose() first: without
// -v no clock is read and nothing is formatted.
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/log.hpp"

namespace mxc::lnx {

inline void log_step(std::string_view what, long usec) {
    char ms[32];
    (void)std::snprintf(ms, sizeof ms, "%.2f ms", static_cast<double>(usec) / 1000.0);
    log::info("setup: " + std::string(what) + ": " + ms);
}

// Times a step on the supervisor's side: log_step when it goes out of scope.
class StepTimer {
public:
    StepTimer(bool on, std::string what) : on_(on), what_(std::move(what)) {
        if (on_) start_ = std::chrono::steady_clock::now();
    }
    ~StepTimer() {
        if (!on_) return;
        const auto d = std::chrono::steady_clock::now() - start_;
        log_step(what_, static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
    }
    StepTimer(const StepTimer&) = delete;
    StepTimer& operator=(const StepTimer&) = delete;

private:
    bool on_;
    std::string what_;
    std::chrono::steady_clock::time_point start_{};
};

}  // namespace mxc::lnx
