#pragma once
// RFC 5424 syslog messages for audit events: the identity as structured data
// under mxc's SD-ID, the JSON line as the message, so a collector that reads
// only structured data and one that reads only text both get the answer.
#include <string>
#include <string_view>

#include "audit/sink.hpp"

namespace mxc::audit {

// Private Enterprise Number in the SD-ID "mxc@32473": 32473 is the number
// RFC 5612 reserves for documentation and examples. An operator who needs a
// registered one filters on the name.
inline constexpr std::string_view kSyslogSdId = "mxc@32473";

// Facility authpriv (10): audit records hold argv and host names, and
// syslog daemons keep authpriv in a file only root reads.
inline constexpr int kSyslogFacility = 10;

// An SD-PARAM value with '"', '\' and ']' escaped by a backslash (RFC 5424
// 6.3.3). Control bytes become '?': a value must not end the message early
// or start a new line in a text log.
std::string sd_param_value(std::string_view text);

// `<PRI>1 TIMESTAMP HOSTNAME mxc PID EVENT [mxc@32473 session=".." agent=".."
// user=".." uid=".." profile=".." profile_sha256=".."] JSON`.
// An empty or non-printable hostname becomes "-" (the NILVALUE).
std::string format_rfc5424(const Identity& who, const Record& record, std::string_view hostname, long pid);

}  // namespace mxc::audit
