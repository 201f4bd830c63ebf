#include "audit/audit_log.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#ifdef __linux__
#include <sys/random.h>
#endif

#include "audit/file_sink.hpp"
#include "common/json.hpp"

namespace mxc::audit {
namespace {

std::string rfc3339_now() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
#ifdef _WIN32
    gmtime_s(&tm, &secs);
#else
    gmtime_r(&secs, &tm);
#endif
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path, std::string session,
                                                 std::string agent) {
    auto sink = open_file_sink(path, FileOwner::Caller, "audit log");
    if (!sink) return sink.error();
    Identity who;
    who.session = std::move(session);
    who.agent = std::move(agent);
    fill_current_user(who);
    std::vector<SinkPtr> sinks;
    sinks.push_back(std::move(*sink));
    return create(std::move(who), std::move(sinks));
}

std::unique_ptr<AuditLog> AuditLog::create(Identity who, std::vector<SinkPtr> sinks) {
    return std::unique_ptr<AuditLog>(new AuditLog(std::move(who), std::move(sinks)));
}

AuditLog::AuditLog(Identity who, std::vector<SinkPtr> sinks)
    : who_(std::move(who)), sinks_(std::move(sinks)) {}

AuditLog::~AuditLog() = default;

void AuditLog::emit(const char* event, Severity severity, const std::string& body) {
    std::lock_guard lock(mutex_);
    const std::string ts = rfc3339_now();
    json::Object o;
    o.field("ts", ts).field("session", who_.session).field("agent", who_.agent).field("user", who_.user);
    if (who_.uid >= 0) o.field("uid", who_.uid);
    o.field("profile", who_.profile).field("profile_sha256", who_.profile_sha256).field("event", event);
    std::string line = o.str();
    // Splice the event's own fields into the same object.
    if (body.size() > 2) {
        line.pop_back();
        line += ',';
        line.append(body, 1, std::string::npos);
    }
    const Record record{event, severity, ts, line};
    for (auto& sink : sinks_) sink->write(who_, record);
}

void AuditLog::start(const StartEvent& e) {
    {
        // The envelope carries user and profile on every event; the start
        // event fills what the opener did not know.
        std::lock_guard lock(mutex_);
        if (who_.profile.empty()) who_.profile = e.profile;
        if (who_.profile_sha256.empty()) who_.profile_sha256 = e.profile_sha256;
        if (who_.user.empty()) who_.user = e.user;
    }
    json::Object o;
    o.field("argv", e.argv).field("cwd", e.cwd);
    // The platform's own account id when it is not the name (a Windows SID).
    if (!e.user.empty() && e.user != who_.user) o.field("user_id", e.user);
    o.field("platform", e.platform).field("enforced", e.enforced).field("warnings", e.warnings);
    emit("start", Severity::Info, o.str());
}

void AuditLog::net(const NetEvent& e) {
    json::Object o;
    o.field("decision", e.allowed ? "allow" : "deny")
        .field("host", e.host)
        .field("port", static_cast<std::int64_t>(e.port))
        .field("proto", e.proto)
        .field("rule", e.rule)
        .field("bytes_up", e.bytes_up)
        .field("bytes_down", e.bytes_down)
        .field("via", e.via);
    if (!e.error.empty()) o.field("error", e.error);
    if (!e.reason.empty()) o.field("reason", e.reason);
    emit("net", e.allowed ? Severity::Info : Severity::Warning, o.str());
}

void AuditLog::exit(const ExitEvent& e) {
    json::Object o;
    o.field("status", e.status)
        .field("signal", e.signal)
        .field("reason", e.reason)
        .field("wall_ms", e.wall_ms)
        .field("cpu_ms", e.cpu_ms)
        .field("max_rss_kb", e.max_rss_kb);
    emit("exit", e.reason == "exited" ? Severity::Info : Severity::Notice, o.str());
}

void AuditLog::tamper(const TamperEvent& e) {
    json::Object o;
    o.field("path", e.path).field("what", e.what).field("action", e.action);
    emit("tamper", Severity::Warning, o.str());
}

std::string new_session_id() {
    std::uint32_t words[4] = {};
#ifdef __linux__
    // One getrandom() call: std::random_device's setup alone cost 70 us of
    // every start (issue 14). It blocks only before the kernel's pool is
    // initialised at boot.
    std::size_t got = 0;
    while (got < sizeof words) {
        const ssize_t n = ::getrandom(reinterpret_cast<char*>(words) + got, sizeof words - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
        } else if (errno != EINTR) {
            std::random_device rd;
            for (auto& w : words) w = rd();
            break;
        }
    }
#else
    std::random_device rd;  // rand_s(), i.e. RtlGenRandom
    for (auto& w : words) w = rd();
#endif
    std::string id;
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::uint32_t v : words) {
        for (int j = 0; j < 8; ++j) id += kHex[(v >> (4 * j)) & 15];
    }
    return id;
}

}  // namespace mxc::audit
