#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>

namespace mxc::log {

namespace {

constexpr const char* kLoggerName = "mxc";
constexpr int kNotSetUp = std::numeric_limits<int>::min();

// What setup() chose. The spdlog logger itself (spdlog's registry, a sink
// and a compiled pattern: 0.14 ms of every start, measured) is made by the
// first message that is shown, which most runs never have.
struct Config {
    std::atomic<int> verbosity{kNotSetUp};
    std::mutex making;
    std::shared_ptr<spdlog::logger> logger;  // under `making`, once made
};

Config& config() {
    static Config c;
    return c;
}

spdlog::level::level_enum threshold(int verbosity) {
    switch (verbosity) {
        case -1:
            return spdlog::level::err;
        case 0:
            return spdlog::level::warn;
        case 1:
            return spdlog::level::info;
        default:
            return spdlog::level::debug;
    }
}

// Never spdlog's default logger: that one prints info and up to stdout,
// which belongs to the sandboxed command, and code that runs without
// setup() (tests, the sandbox driver, libraries) must not write there.
std::shared_ptr<spdlog::logger> make_logger(spdlog::level::level_enum level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>(spdlog::color_mode::automatic);
    if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0') {
        sink->set_color_mode(spdlog::color_mode::never);
    }
    auto logger = std::make_shared<spdlog::logger>(kLoggerName, sink);
    logger->set_pattern("mxc: %^%l%$: %v");
    logger->set_level(level);
    return logger;
}

void log_at(spdlog::level::level_enum level, std::string_view message) {
    Config& c = config();
    const int verbosity = c.verbosity.load(std::memory_order_acquire);
    if (verbosity == kNotSetUp) {
        if (level >= spdlog::level::warn) {
            (void)std::fprintf(stderr, "mxc: %s: %.*s\n", level == spdlog::level::warn ? "warning" : "error",
                               static_cast<int>(message.size()), message.data());
        }
        return;
    }
    if (level < threshold(verbosity)) return;
    const std::lock_guard lock(c.making);
    if (!c.logger) c.logger = make_logger(threshold(verbosity));
    c.logger->log(level, "{}", message);
}

}  // namespace

void setup(int verbosity) {
    Config& c = config();
    const std::lock_guard lock(c.making);
    c.verbosity.store(verbosity, std::memory_order_release);
    if (c.logger) c.logger->set_level(threshold(verbosity));
}

bool verbose() {
    const int verbosity = config().verbosity.load(std::memory_order_acquire);
    return verbosity != kNotSetUp && verbosity >= 1;
}

bool quiet() {
    return config().verbosity.load(std::memory_order_acquire) == -1;
}

void debug(std::string_view message) {
    log_at(spdlog::level::debug, message);
}
void info(std::string_view message) {
    log_at(spdlog::level::info, message);
}
void warn(std::string_view message) {
    log_at(spdlog::level::warn, message);
}
void error(std::string_view message) {
    log_at(spdlog::level::err, message);
}

}  // namespace mxc::log
