#pragma once
// Reads an audit log back (for `mxc log`): one JSON object per line, grouped
// into sessions. Unknown events and fields are ignored so newer logs still read.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/result.hpp"

namespace mxc::audit {

struct SessionRecord {
    std::string session;
    std::string agent;
    std::string started_at;  // ts of the start event
    std::optional<StartEvent> start;
    std::vector<NetEvent> net;
    std::optional<ExitEvent> exit;
    std::vector<TamperEvent> tamper;
};

struct ParsedLine {
    std::string ts;
    std::string session;
    std::string agent;
    std::string event;  // "start" | "net" | "exit" | "tamper" | other
    std::optional<StartEvent> start;
    std::optional<NetEvent> net;
    std::optional<ExitEvent> exit;
    std::optional<TamperEvent> tamper;
};

// Parses one line. Lone-surrogate escapes (\udc80-\udcff: bytes that were not
// valid UTF-8, see json.hpp) come back as the text "\xNN".
Result<ParsedLine> parse_line(const std::string& line);

// Accumulates lines into sessions, in order of first appearance.
class LogReader {
public:
    // Returns an error naming the line number for a malformed line.
    Status add_line(const std::string& line);
    [[nodiscard]] const std::vector<SessionRecord>& sessions() const { return sessions_; }

private:
    std::vector<SessionRecord> sessions_;
    std::map<std::string, std::size_t> index_;
    std::size_t line_no_ = 0;
};

}  // namespace mxc::audit
