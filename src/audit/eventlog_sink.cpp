#include "audit/eventlog_sink.hpp"

#ifdef _WIN32
#include <windows.h>

#include <vector>
#endif

namespace mxc::audit {

#ifdef _WIN32
namespace {

// Event ids by event kind, so a subscription can filter without parsing.
WORD event_id(std::string_view event) {
    if (event == "start") return 1;
    if (event == "net") return 2;
    if (event == "exit") return 3;
    if (event == "tamper") return 4;
    return 9;
}

std::wstring widen(std::string_view utf8) {
    if (utf8.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    if (n <= 0) return {};
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

class EventLogSink final : public Sink {
public:
    explicit EventLogSink(HANDLE source) : source_(source) {}
    ~EventLogSink() override { DeregisterEventSource(source_); }
    EventLogSink(const EventLogSink&) = delete;
    EventLogSink& operator=(const EventLogSink&) = delete;

    void write(const Identity& /*who*/, const Record& record) override {
        // The JSON line is valid UTF-8 (json.hpp escapes invalid bytes), so
        // the conversion loses nothing; the identity is inside it.
        const std::wstring text = widen(record.json);
        LPCWSTR strings[] = {text.c_str()};
        const WORD type =
            record.severity == Severity::Warning ? EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE;
        (void)ReportEventW(source_, type, 0, event_id(record.event), nullptr, 1, 0, strings, nullptr);
    }

private:
    HANDLE source_;
};

}  // namespace

Result<SinkPtr> open_eventlog_sink(const std::string& what) {
    // No message file is registered for the source: Event Viewer says so
    // above the text, and shows the JSON string in full (docs/audit.md).
    HANDLE source = RegisterEventSourceW(nullptr, L"mxc");
    if (source == nullptr) {
        return make_error("cannot open " + what + ": RegisterEventSourceW failed (error " +
                          std::to_string(GetLastError()) + ")");
    }
    return SinkPtr(new EventLogSink(source));
}

#else

Result<SinkPtr> open_eventlog_sink(const std::string& what) {
    return make_error("cannot open " + what +
                      ": the Event Log exists only on Windows: use sink = \"journald\" or \"syslog\"");
}

#endif

}  // namespace mxc::audit
