// Audit sinks (issue 15): one formatted event fanned out to every sink, the
// identity on every event, RFC 5424 and journald field building.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/journald_fields.hpp"
#include "audit/journald_sink.hpp"
#include "audit/syslog_format.hpp"
#include "audit/syslog_sink.hpp"
#include "common/unique_fd.hpp"

using namespace mxc::audit;

namespace {

struct Captured {
    Identity who;
    std::string event;
    Severity severity;
    std::string json;
};

class RecordingSink final : public Sink {
public:
    explicit RecordingSink(std::vector<Captured>& into) : into_(into) {}
    void write(const Identity& who, const Record& r) override {
        into_.push_back({who, std::string(r.event), r.severity, std::string(r.json)});
    }

private:
    std::vector<Captured>& into_;
};

Identity alice() {
    Identity who;
    who.session = "0123abcd";
    who.agent = "claude-code";
    who.user = "alice";
    who.uid = 1000;
    who.profile = "coding-agent";
    who.profile_sha256 = "9f86d081";
    return who;
}

bool contains(const std::string& s, const std::string& needle) {
    return s.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("every event goes to every sink, formatted once, with the identity in the line") {
    std::vector<Captured> a;
    std::vector<Captured> b;
    std::vector<SinkPtr> sinks;
    sinks.push_back(std::make_unique<RecordingSink>(a));
    sinks.push_back(std::make_unique<RecordingSink>(b));
    auto log = AuditLog::create(alice(), std::move(sinks));
    log->start({"coding-agent", "9f86d081", {"claude"}, "/w", "alice", "linux", {}, {}});
    log->net({false, "evil.example", 443, "connect", "", 0, 0, "proxy", "", ""});
    log->tamper({"/w/.git/config", "modified", "restored"});
    log->exit({0, 0, "exited", 1, 1, 1});
    REQUIRE(a.size() == 4);
    REQUIRE(b.size() == 4);
    const char* events[] = {"start", "net", "tamper", "exit"};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(a[i].json == b[i].json);
        CHECK(a[i].event == events[i]);
        // A line alone answers who, which agent, under which policy.
        CHECK(contains(
            a[i].json,
            R"("session":"0123abcd","agent":"claude-code","user":"alice","uid":1000,"profile":"coding-agent","profile_sha256":"9f86d081","event":")" +
                std::string(events[i]) + "\""));
        CHECK(a[i].who.agent == "claude-code");
    }
    // The start event does not repeat the envelope's keys.
    CHECK_FALSE(contains(a[0].json, R"("user":"alice","platform")"));
    CHECK(contains(a[0].json, R"("event":"start","argv":["claude"],"cwd":"/w","platform":"linux")"));
}

TEST_CASE("severity: denials and tampering are warnings, a killed run a notice, the rest info") {
    std::vector<Captured> got;
    std::vector<SinkPtr> sinks;
    sinks.push_back(std::make_unique<RecordingSink>(got));
    auto log = AuditLog::create(alice(), std::move(sinks));
    log->net({true, "github.com", 443, "connect", "github.com", 0, 0, "proxy", "", ""});
    log->net({false, "evil.example", 443, "connect", "", 0, 0, "proxy", "", ""});
    log->tamper({"/w/x", "created", "removed"});
    log->exit({124, 0, "timeout", 1, 1, 1});
    log->exit({0, 0, "exited", 1, 1, 1});
    REQUIRE(got.size() == 5);
    CHECK(got[0].severity == Severity::Info);
    CHECK(got[1].severity == Severity::Warning);
    CHECK(got[2].severity == Severity::Warning);
    CHECK(got[3].severity == Severity::Notice);
    CHECK(got[4].severity == Severity::Info);
}

TEST_CASE("a log opened without profile fields takes them from the start event for every later event") {
    std::vector<Captured> got;
    std::vector<SinkPtr> sinks;
    sinks.push_back(std::make_unique<RecordingSink>(got));
    Identity who;
    who.session = "s";
    auto log = AuditLog::create(who, std::move(sinks));
    log->start({"build", "abcd", {"make"}, "/w", "bob", "linux", {}, {}});
    log->exit({});
    REQUIRE(got.size() == 2);
    CHECK(contains(got[1].json, R"("user":"bob","profile":"build","profile_sha256":"abcd","event":"exit")"));
}

TEST_CASE("RFC 5424: header, structured data with the identity, the JSON line as message") {
    const Identity who = alice();
    const Record r{"net", Severity::Warning, "2026-12-01T01:02:03.456Z", R"({"event":"net"})"};
    CHECK(format_rfc5424(who, r, "build-host", 4242) ==
          "<84>1 2026-12-01T01:02:03.456Z build-host mxc 4242 net [mxc@32473 session=\"0123abcd\" "
          "agent=\"claude-code\" user=\"alice\" uid=\"1000\" profile=\"coding-agent\" "
          "profile_sha256=\"9f86d081\"] {\"event\":\"net\"}");
    // PRI = authpriv (10) * 8 + severity.
    const Record info{"start", Severity::Info, "2026-12-01T01:02:03.456Z", "{}"};
    CHECK(format_rfc5424(who, info, "h", 1).rfind("<86>1 ", 0) == 0);
}

TEST_CASE("RFC 5424: quote, backslash and closing bracket in a value are escaped, control bytes replaced") {
    CHECK(sd_param_value(R"(a"b\c]d)") == R"(a\"b\\c\]d)");
    CHECK(sd_param_value("line\nbreak\x7f") == "line?break?");
    CHECK(sd_param_value("caf\xc3\xa9") == "caf\xc3\xa9");
    Identity who = alice();
    who.profile = "evil\"] [x y=\"1";
    const Record r{"exit", Severity::Info, "2026-12-01T01:02:03.456Z", "{}"};
    const std::string line = format_rfc5424(who, r, "h", 1);
    // The forged SD-ELEMENT stays inside the profile value.
    CHECK(contains(line, R"(profile="evil\"\] [x y=\"1")"));
}

TEST_CASE(
    "RFC 5424: a hostname with spaces or control bytes becomes the NILVALUE, and no uid means no uid param") {
    Identity who = alice();
    who.uid = -1;
    const Record r{"exit", Severity::Info, "2026-12-01T01:02:03.456Z", "{}"};
    const std::string line = format_rfc5424(who, r, "bad host", 1);
    CHECK(line.rfind("<86>1 2026-12-01T01:02:03.456Z - mxc 1 exit [", 0) == 0);
    CHECK_FALSE(contains(line, "uid="));
}

TEST_CASE("journald fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and the MXC_* identity with the JSON") {
    const Record r{"net", Severity::Warning, "2026-12-01T01:02:03.456Z", "{\"a\":\"x\\ny\"}"};
    const auto fields = journald_fields(alice(), r);
    const std::vector<std::string> want = {
        "MESSAGE=mxc net session 0123abcd agent claude-code user alice",
        "PRIORITY=4",
        "SYSLOG_IDENTIFIER=mxc",
        "MXC_EVENT=net",
        "MXC_SESSION=0123abcd",
        "MXC_AGENT=claude-code",
        "MXC_USER=alice",
        "MXC_UID=1000",
        "MXC_PROFILE=coding-agent",
        "MXC_PROFILE_SHA256=9f86d081",
        "MXC_JSON={\"a\":\"x\\ny\"}",
    };
    CHECK(fields == want);
}

TEST_CASE("the syslog sink sends one RFC 5424 datagram per event to its socket") {
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("mxc-syslog-" + new_session_id())).string();
    std::filesystem::create_directory(dir);
    const std::string path = dir + "/log.sock";
    mxc::UniqueFd server(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

    auto sink = open_syslog_sink(path, "test sink");
    REQUIRE(sink.ok());
    std::vector<SinkPtr> sinks;
    sinks.push_back(std::move(*sink));
    auto log = AuditLog::create(alice(), std::move(sinks));
    log->net({false, "evil.example", 443, "connect", "", 0, 0, "proxy", "", ""});
    log->exit({0, 0, "exited", 1, 1, 1});

    char buf[8192];
    const ssize_t n1 = ::recv(server.get(), buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(n1 > 0);
    const std::string first(buf, static_cast<std::size_t>(n1));
    CHECK(first.rfind("<84>1 ", 0) == 0);
    CHECK(contains(first, " mxc " + std::to_string(::getpid()) +
                              " net [mxc@32473 session=\"0123abcd\" "
                              "agent=\"claude-code\""));
    CHECK(contains(first, R"(] {"ts":")"));
    CHECK(contains(first, R"("decision":"deny","host":"evil.example")"));
    const ssize_t n2 = ::recv(server.get(), buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(n2 > 0);
    CHECK(contains(std::string(buf, static_cast<std::size_t>(n2)), " exit [mxc@32473 "));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a syslog sink whose socket is missing fails to open, naming the socket") {
    auto sink = open_syslog_sink("/nonexistent-dir/log.sock", "the profile's [audit] sink (p.toml:3:8)");
    REQUIRE_FALSE(sink.ok());
    CHECK(contains(sink.error().message, "the profile's [audit] sink (p.toml:3:8)"));
    CHECK(contains(sink.error().message, "/nonexistent-dir/log.sock"));
}

TEST_CASE("a journald sink fails to open, naming the journal socket, on a host without a journal") {
    struct stat st {};
    if (::stat(kJournalSocket, &st) == 0) {
        MESSAGE("a journal runs here: the sink must open");
        CHECK(open_journald_sink("journald").ok());
        return;
    }
    auto sink = open_journald_sink("the managed policy's [audit] sink");
    REQUIRE_FALSE(sink.ok());
    CHECK(contains(sink.error().message, "the managed policy's [audit] sink"));
    CHECK(contains(sink.error().message, kJournalSocket));
}
