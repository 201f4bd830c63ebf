#pragma once
// The systemd journal fields of one audit event: the identity as MXC_*
// fields (journalctl MXC_AGENT=claude-code), the JSON line whole in MXC_JSON.
#include <string>
#include <vector>

#include "audit/sink.hpp"

namespace mxc::audit {

// "NAME=value" entries, each one iovec for sd_journal_sendv(): values may
// hold any byte, newlines included (the journal's native protocol carries
// them length-prefixed).
std::vector<std::string> journald_fields(const Identity& who, const Record& record);

}  // namespace mxc::audit
