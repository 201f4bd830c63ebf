#pragma once
// Visible refusals (issue 11): the first denied connection to each host:port
// in a run prints one line on mxc's stderr, naming what denied it and the rule
// that would allow it, so a user learns what to add without reading the audit
// log. Fed the same audit::NetEvent the audit log gets, from every path that
// decides (the proxy, the connect broker, the DNS stub), on their threads.
//
// The sandbox chooses the hosts, so: each line is made safe for a terminal,
// and memory is bounded (after `max_lines` distinct lines one "more" line is
// printed and nothing else is kept).
#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "audit/audit_log.hpp"

namespace mxc::net {

// The notice for one denial, without the trailing newline, already made safe
// for a terminal. `profile_name` is the profile that did not allow it.
std::string refusal_line(const audit::NetEvent& e, const std::string& profile_name);

class RefusalNotices {
public:
    // Receives each whole line, '\n' included.
    using Sink = std::function<void(std::string_view)>;
    static constexpr std::size_t kDefaultMaxLines = 20;
    static constexpr const char* kMoreLine = "mxc: more connections blocked; see mxc log\n";

    // `quiet` (-q): print nothing at all. `sink` defaults to stderr.
    RefusalNotices(std::string profile_name, bool quiet, Sink sink = {},
                   std::size_t max_lines = kDefaultMaxLines);

    // Thread-safe. Allowed events (failed or not) print nothing.
    void on_event(const audit::NetEvent& e);

private:
    std::string profile_name_;
    bool quiet_;
    Sink sink_;
    std::size_t max_lines_;
    std::mutex mutex_;
    std::set<std::string> seen_;  // at most max_lines_ keys
    bool full_ = false;           // the "more" line was printed: nothing else is
};

}  // namespace mxc::net
