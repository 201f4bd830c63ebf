#include "platform/linux/apply/child_report.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace mxc::lnx {

void send_report(int fd, ReportTag tag, const std::string& payload) {
    if (fd < 0) return;
    std::string msg;
    const auto len = static_cast<std::uint32_t>(payload.size() > 3000 ? 3000 : payload.size());
    msg.push_back(static_cast<char>(tag));
    for (int i = 0; i < 4; ++i) msg.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
    msg.append(payload, 0, len);
    while (::write(fd, msg.data(), msg.size()) < 0 && errno == EINTR) {
    }
}

long monotonic_usec() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long>(ts.tv_sec) * 1000000L + ts.tv_nsec / 1000;
}

void send_step(int fd, const char* name, long since_usec) {
    if (fd < 0) return;
    char msg[160];
    const int n = std::snprintf(msg + 5, sizeof msg - 5, "%ld %s", monotonic_usec() - since_usec, name);
    if (n <= 0) return;
    const auto len = static_cast<std::uint32_t>(n < static_cast<int>(sizeof msg - 5) ? n : sizeof msg - 6);
    msg[0] = static_cast<char>(ReportTag::Step);
    for (int i = 0; i < 4; ++i) msg[1 + i] = static_cast<char>((len >> (8 * i)) & 0xff);
    while (::write(fd, msg, 5 + len) < 0 && errno == EINTR) {
    }
}

ChildReports parse_reports(const std::string& bytes) {
    ChildReports r;
    parse_reports_into(r, bytes, 0);
    return r;
}

namespace {

// "CPU_MS MAX_RSS_KB", as report_usage (pid_init.cpp) writes it. Not sscanf:
// its first call costs tens of microseconds at the end of every run.
bool parse_usage(std::string_view text, unsigned long long& cpu_ms, unsigned long long& max_rss_kb) {
    const char* end = text.data() + text.size();
    unsigned long long cpu = 0;
    unsigned long long rss = 0;
    auto first = std::from_chars(text.data(), end, cpu);
    if (first.ec != std::errc() || first.ptr == end || *first.ptr != ' ') return false;
    auto second = std::from_chars(first.ptr + 1, end, rss);
    if (second.ec != std::errc() || second.ptr != end) return false;
    cpu_ms = cpu;
    max_rss_kb = rss;
    return true;
}

}  // namespace

std::size_t parse_reports_into(ChildReports& r, const std::string& bytes, std::size_t from) {
    std::size_t pos = from;
    while (pos + 5 <= bytes.size()) {
        const char tag = bytes[pos];
        std::uint32_t len = 0;
        for (int i = 0; i < 4; ++i)
            len |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[pos + 1 + i])) << (8 * i);
        if (pos + 5 + len > bytes.size()) break;
        std::string payload = bytes.substr(pos + 5, len);
        pos += 5 + len;
        switch (static_cast<ReportTag>(tag)) {
            case ReportTag::SetupError:
                if (r.setup_error.empty()) r.setup_error = payload;
                break;
            case ReportTag::ExecErrno:
                r.exec_errno = std::atoi(payload.c_str());
                break;
            case ReportTag::WaitStatus:
                r.has_wait_status = true;
                r.wait_status = std::atoi(payload.c_str());
                break;
            case ReportTag::Usage:
                r.has_usage = parse_usage(payload, r.cpu_ms, r.max_rss_kb);
                break;
            case ReportTag::Warning:
                r.warnings.push_back(payload);
                break;
            case ReportTag::LayerWrite:
                r.layer_writes.push_back(payload);
                break;
            case ReportTag::Step: {
                const auto space = payload.find(' ');
                if (space == std::string::npos) break;
                r.steps.push_back(StepTiming{payload.substr(space + 1), std::atol(payload.c_str())});
                break;
            }
        }
    }
    return pos;
}

}  // namespace mxc::lnx
