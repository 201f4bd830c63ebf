#pragma once
// The syslog sink: RFC 5424 messages (syslog_format.hpp) as datagrams to the
// local syslog socket. POSIX only; on Windows opening it is an error.
#include <string>

#include "audit/sink.hpp"
#include "common/result.hpp"

namespace mxc::audit {

inline constexpr const char* kDefaultSyslogSocket = "/dev/log";

// Connects a datagram socket to `socket_path` now, so a missing syslog
// daemon is found before the run starts. `what` names the sink in errors.
Result<SinkPtr> open_syslog_sink(const std::string& socket_path, const std::string& what);

}  // namespace mxc::audit
