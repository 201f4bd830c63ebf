#include "audit/audit_log.hpp"

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

#include "common/json.hpp"
#ifndef _WIN32
#include "common/private_file.hpp"
#endif

#ifdef _WIN32
#include <io.h>
#include <sys/stat.h>  // _S_IREAD / _S_IWRITE (mingw-w64)
#define MXC_WRITE _write
#define MXC_CLOSE _close
#else
#include <unistd.h>
#define MXC_WRITE ::write
#define MXC_CLOSE ::close
#endif

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
    if (path == "-")
        return std::unique_ptr<AuditLog>(new AuditLog(2, false, std::move(session), std::move(agent)));
#ifdef _WIN32
    int fd = ::_open(path.c_str(), _O_WRONLY | _O_APPEND | _O_CREAT | _O_BINARY, _S_IREAD | _S_IWRITE);
    if (fd < 0) {
        return make_error("cannot open audit log " + path + ": " + std::strerror(errno) +
                          " (check the directory exists and is writable, or use --audit -)");
    }
#else
    // The log may hold argv and hostnames: private to the user (0600). The
    // supervisor is unconfined, so the path is not trusted (private_file.hpp).
    auto opened = open_private_append(path, "audit log");
    if (!opened) return opened.error();
    const int fd = opened->release();
#endif
    return std::unique_ptr<AuditLog>(new AuditLog(fd, true, std::move(session), std::move(agent)));
}

AuditLog::AuditLog(int fd, bool owns_fd, std::string session, std::string agent)
    : fd_(fd), owns_fd_(owns_fd), session_(std::move(session)), agent_(std::move(agent)) {}

AuditLog::~AuditLog() {
    if (owns_fd_) MXC_CLOSE(fd_);
}

std::string AuditLog::envelope(const char* event, const std::string& body) const {
    json::Object o;
    o.field("ts", rfc3339_now()).field("session", session_).field("agent", agent_).field("event", event);
    std::string head = o.str();
    // Splice the event's own fields into the same object.
    if (body.size() > 2) {
        head.pop_back();
        head += ',';
        head.append(body, 1, std::string::npos);
    }
    return head;
}

void AuditLog::write_line(std::string line) {
    line += '\n';
    std::lock_guard lock(mutex_);
    // One write() per line: with O_APPEND the kernel places it atomically at
    // the end, so concurrent mxc processes sharing a log never interleave.
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        auto n = MXC_WRITE(fd_, p, static_cast<unsigned>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // An unwritable audit log must not kill the sandboxed command.
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AuditLog::start(const StartEvent& e) {
    json::Object o;
    o.field("profile", e.profile)
        .field("profile_sha256", e.profile_sha256)
        .field("argv", e.argv)
        .field("cwd", e.cwd)
        .field("user", e.user)
        .field("platform", e.platform)
        .field("enforced", e.enforced)
        .field("warnings", e.warnings);
    write_line(envelope("start", o.str()));
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
    write_line(envelope("net", o.str()));
}

void AuditLog::exit(const ExitEvent& e) {
    json::Object o;
    o.field("status", e.status)
        .field("signal", e.signal)
        .field("reason", e.reason)
        .field("wall_ms", e.wall_ms)
        .field("cpu_ms", e.cpu_ms)
        .field("max_rss_kb", e.max_rss_kb);
    write_line(envelope("exit", o.str()));
}

void AuditLog::tamper(const TamperEvent& e) {
    json::Object o;
    o.field("path", e.path).field("what", e.what).field("action", e.action);
    write_line(envelope("tamper", o.str()));
}

std::string new_session_id() {
    std::random_device rd;  // getrandom() on Linux, rand_s() on Windows
    std::string id;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 4; ++i) {
        std::uint32_t v = rd();
        for (int j = 0; j < 8; ++j) id += kHex[(v >> (4 * j)) & 15];
    }
    return id;
}

}  // namespace mxc::audit
