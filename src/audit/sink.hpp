#pragma once
// Where audit events go (docs/design.md "Audit log"). AuditLog formats each
// event once, as one JSON line, and hands it with the run's identity to every
// sink: a file, the systemd journal, syslog, the Windows Event Log. A sink
// never fails the sandboxed command: a write that does not go through is
// dropped (opening is where a sink can refuse, and the run with it).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mxc::audit {

// Who ran what under which policy: on every event (issue 15), so one line
// alone answers "which agent did what, under which policy".
struct Identity {
    std::string session;
    std::string agent;           // [agent].id or --agent; "" = none named
    std::string user;            // account name of the caller
    std::int64_t uid = -1;       // POSIX uid of the caller; -1 = none (Windows)
    std::string profile;         // resolved profile name
    std::string profile_sha256;  // over every file of the profile chain
};

// The identity fields a syslog or journald record carries, in one order for
// both: visit(name, value) with the JSON key as name ("session", "agent",
// "user", "uid" when known, "profile", "profile_sha256"); each sink spells
// the name its own way.
template <class Visit>
void for_each_identity_field(const Identity& who, Visit&& visit) {
    visit("session", std::string_view(who.session));
    visit("agent", std::string_view(who.agent));
    visit("user", std::string_view(who.user));
    if (who.uid >= 0) visit("uid", std::string_view(std::to_string(who.uid)));
    visit("profile", std::string_view(who.profile));
    visit("profile_sha256", std::string_view(who.profile_sha256));
}

// Syslog severities (RFC 5424 6.2.1) that events map to.
enum class Severity : std::uint8_t { Warning = 4, Notice = 5, Info = 6 };

// One formatted event.
struct Record {
    std::string_view event;  // "start" | "net" | "exit" | "tamper"
    Severity severity = Severity::Info;
    std::string_view ts;    // RFC 3339, UTC, milliseconds (the line's "ts")
    std::string_view json;  // the whole JSON object, no newline
};

class Sink {
public:
    virtual ~Sink() = default;
    // Called with AuditLog's lock held: one event at a time, in order.
    virtual void write(const Identity& who, const Record& record) = 0;
};

using SinkPtr = std::unique_ptr<Sink>;

// The caller's account name and uid (Windows: the name, uid -1).
void fill_current_user(Identity& who);

}  // namespace mxc::audit
