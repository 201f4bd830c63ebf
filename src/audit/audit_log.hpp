#pragma once
// The audit log (docs/design.md "Audit log"): one JSON object per event,
// fanned out to the sinks a run names (file, journald, syslog, Event Log).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/sink.hpp"
#include "common/result.hpp"

namespace mxc::audit {

struct StartEvent {
    std::string profile;
    std::string profile_sha256;
    std::vector<std::string> argv;
    std::string cwd;
    std::string user;
    std::string platform;
    std::vector<std::string> enforced;
    std::vector<std::string> warnings;
};

struct NetEvent {
    bool allowed = false;
    std::string host;
    std::uint16_t port = 0;
    std::string proto;  // "connect" | "http" | "socks5" | "tcp" | "udp" | "unix" | "dns"
    std::string rule;   // the rule that decided, as written; "" = default deny
    std::uint64_t bytes_up = 0;
    std::uint64_t bytes_down = 0;
    // Which path decided (issue 11): "proxy" (HTTP/SOCKS5 proxy), "connect"
    // (the seccomp connect broker), "dns" (the sandbox's DNS stub).
    std::string via = "proxy";
    // Allowed, but the upstream connection failed: why ("connection refused",
    // "timed out", "no such name"). "" = no failure.
    std::string error;
    // Denied: why, when it is more than "no [network].allow rule matches"
    // (net::denial_reason: the deny rule, the loopback or own address a name
    // resolved to, why the host is invalid). "" = no allow rule matched.
    std::string reason;
};

struct ExitEvent {
    int status = 0;
    int signal = 0;
    std::string reason;  // "exited" | "signaled" | "timeout" | "limit" | "parent-died"
    std::uint64_t wall_ms = 0;
    std::uint64_t cpu_ms = 0;
    std::uint64_t max_rss_kb = 0;
};

// Something a run left behind that mxc undid or reports after it ended
// (issue 10: a changed git hook or config, a created protected path).
struct TamperEvent {
    std::string path;
    std::string what;    // what the run did
    std::string action;  // what mxc did about it
};

// Formats each event once and hands it to every sink (sink.hpp). Every line
// carries the run's identity (session, agent, user, uid, profile and its
// sha256) ahead of the event's own fields.
class AuditLog {
public:
    // One file sink: path "-" means stderr, else the file is opened
    // O_APPEND|O_CREAT, mode 0600 (file_sink.hpp, FileOwner::Caller).
    // user/uid are the caller's; profile fields come from the start event.
    static Result<std::unique_ptr<AuditLog>> open(const std::string& path, std::string session,
                                                  std::string agent);
    // Every event goes to each of `sinks`, in order.
    static std::unique_ptr<AuditLog> create(Identity who, std::vector<SinkPtr> sinks);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    void start(const StartEvent& e);
    void net(const NetEvent& e);
    void exit(const ExitEvent& e);
    void tamper(const TamperEvent& e);

    [[nodiscard]] const std::string& session() const { return who_.session; }
    // True when the opener named the profile chain (open_sinks does): the
    // start event's own profile fields are then not used, so a caller need
    // not hash the chain again for them.
    [[nodiscard]] bool knows_profile() const {
        std::lock_guard lock(mutex_);
        return !who_.profile_sha256.empty();
    }

private:
    AuditLog(Identity who, std::vector<SinkPtr> sinks);
    // Serialises the envelope {"ts","session","agent","user","uid","profile",
    // "profile_sha256","event"} plus the event's own fields, and writes it.
    void emit(const char* event, Severity severity, const std::string& body);

    Identity who_;
    std::vector<SinkPtr> sinks_;
    mutable std::mutex mutex_;
};

// A random session id (128 bits, hex).
std::string new_session_id();

}  // namespace mxc::audit
