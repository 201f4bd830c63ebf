#pragma once
// The Windows Event Log sink: each event a ReportEventW() record of source
// "mxc" in the Application log, the JSON line as its one insertion string.
// Windows only; elsewhere opening it is an error.
#include <string>

#include "audit/sink.hpp"
#include "common/result.hpp"

namespace mxc::audit {

Result<SinkPtr> open_eventlog_sink(const std::string& what);

}  // namespace mxc::audit
