#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace mxc::log {

namespace {

constexpr const char* kLoggerName = "mxc";

// The logger setup() made, or nothing. Never spdlog's default logger: that
// one prints info and up to stdout, which belongs to the sandboxed command,
// and code that runs without setup() (tests, the sandbox driver, libraries)
// must not write there.
std::shared_ptr<spdlog::logger> mxc_logger() {
    return spdlog::get(kLoggerName);
}

void log_at(spdlog::level::level_enum level, std::string_view message) {
    if (auto logger = mxc_logger()) {
        logger->log(level, "{}", message);
    } else if (level >= spdlog::level::warn) {
        (void)std::fprintf(stderr, "mxc: %s: %.*s\n", level == spdlog::level::warn ? "warning" : "error",
                           static_cast<int>(message.size()), message.data());
    }
}

}  // namespace

void setup(int verbosity) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>(spdlog::color_mode::automatic);
    if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0') {
        sink->set_color_mode(spdlog::color_mode::never);
    }
    auto logger = std::make_shared<spdlog::logger>(kLoggerName, sink);
    logger->set_pattern("mxc: %^%l%$: %v");
    switch (verbosity) {
        case -1:
            logger->set_level(spdlog::level::err);
            break;
        case 0:
            logger->set_level(spdlog::level::warn);
            break;
        case 1:
            logger->set_level(spdlog::level::info);
            break;
        default:
            logger->set_level(spdlog::level::debug);
            break;
    }
    spdlog::set_default_logger(logger);
}

bool verbose() {
    auto logger = mxc_logger();
    return logger != nullptr && logger->should_log(spdlog::level::info);
}

bool quiet() {
    auto logger = mxc_logger();
    return logger != nullptr && !logger->should_log(spdlog::level::warn);
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
