#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace mxc::log {

void setup(int verbosity) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>(spdlog::color_mode::automatic);
    if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0') {
        sink->set_color_mode(spdlog::color_mode::never);
    }
    auto logger = std::make_shared<spdlog::logger>("mxc", sink);
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
    return spdlog::should_log(spdlog::level::info);
}

void debug(std::string_view message) {
    spdlog::debug("{}", message);
}
void info(std::string_view message) {
    spdlog::info("{}", message);
}
void warn(std::string_view message) {
    spdlog::warn("{}", message);
}
void error(std::string_view message) {
    spdlog::error("{}", message);
}

}  // namespace mxc::log
