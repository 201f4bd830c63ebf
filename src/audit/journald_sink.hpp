#pragma once
// The systemd journal sink (sd_journal_sendv). Linux only; libsystemd is
// loaded on first use, not linked (journald_sink.cpp says why).
#include <string>

#include "audit/sink.hpp"
#include "common/result.hpp"

namespace mxc::audit {

inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// Fails when this host runs no journal (no socket at kJournalSocket) or
// libsystemd cannot be loaded. `what` names the sink in errors.
Result<SinkPtr> open_journald_sink(const std::string& what);

}  // namespace mxc::audit
