#pragma once
// mxc's own diagnostics: stderr only (stdout belongs to the sandboxed
// command), quiet by default. A thin facade so spdlog is compiled in one
// translation unit (log.cpp) and backends need not include it.
#include <string_view>

namespace mxc::log {

// verbosity: -1 errors only (-q), 0 warnings (default), 1 info (-v), 2+ debug.
// Color only on a terminal, never when NO_COLOR is set.
void setup(int verbosity);

// True when info() is shown (-v): callers skip the work of measuring and
// formatting what would not be printed.
bool verbose();
// True under -q (warnings not shown): callers that print their own notices
// on stderr (e.g. blocked connections) stay silent too.
bool quiet();

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace mxc::log
