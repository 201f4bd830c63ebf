#include <doctest/doctest.h>

#include <string>

#include "audit/log_reader.hpp"
#include "audit/session_summary.hpp"
#include "common/json.hpp"

using mxc::audit::LogReader;

namespace {
const char* kStart =
    R"({"ts":"2026-11-23T10:00:00.000Z","session":"s1","agent":"claude-code","event":"start","profile":"coding-agent","profile_sha256":"ab","argv":["bash","-c","x"],"cwd":"/w","user":"u","platform":"linux","enforced":["landlock"],"warnings":["w1"]})";
std::string net(const char* session, bool allow, const char* host, int port, int up = 0) {
    return std::string(R"({"ts":"t","session":")") + session + R"(","agent":"","event":"net","decision":")" +
           (allow ? "allow" : "deny") + R"(","host":")" + host + R"(","port":)" + std::to_string(port) +
           R"(,"proto":"connect","rule":")" + (allow ? host : "") + R"(","bytes_up":)" + std::to_string(up) +
           R"(,"bytes_down":5})";
}
}  // namespace

TEST_CASE("log reader groups events by session in order of appearance") {
    LogReader r;
    REQUIRE(r.add_line(kStart).ok());
    REQUIRE(r.add_line(net("s2", false, "b.com", 443)).ok());
    REQUIRE(r.add_line(net("s1", true, "a.com", 443, 7)).ok());
    REQUIRE(
        r.add_line(
             R"({"ts":"t","session":"s1","agent":"","event":"exit","status":3,"signal":0,"reason":"exited","wall_ms":10,"cpu_ms":2,"max_rss_kb":100})")
            .ok());
    REQUIRE(r.sessions().size() == 2);
    const auto& s1 = r.sessions()[0];
    CHECK(s1.session == "s1");
    CHECK(s1.agent == "claude-code");
    REQUIRE(s1.start);
    CHECK(s1.start->argv == std::vector<std::string>{"bash", "-c", "x"});
    CHECK(s1.start->warnings == std::vector<std::string>{"w1"});
    REQUIRE(s1.net.size() == 1);
    CHECK(s1.net[0].bytes_up == 7);
    REQUIRE(s1.exit);
    CHECK(s1.exit->status == 3);
    CHECK(r.sessions()[1].session == "s2");
}

TEST_CASE("log reader reports the line number of a malformed line") {
    LogReader r;
    REQUIRE(r.add_line(kStart).ok());
    REQUIRE(r.add_line("").ok());
    auto st = r.add_line("{not json");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.rfind("line 3:", 0) == 0);
}

TEST_CASE("log reader reads back argv bytes that were not valid UTF-8") {
    std::string line = R"({"ts":"t","session":"s","agent":"","event":"start","argv":[)" +
                       mxc::json::quote(
                           "a\xff"
                           "b\\udcff") +
                       "]}";
    auto p = mxc::audit::parse_line(line);
    REQUIRE(p.ok());
    REQUIRE(p->start);
    // The invalid byte shows as \xff; a literal backslash sequence in argv stays literal.
    CHECK(p->start->argv == std::vector<std::string>{"a\\xffb\\udcff"});
}

TEST_CASE("session summary tallies hosts, allowed first, by count") {
    LogReader r;
    for (int i = 0; i < 3; ++i) REQUIRE(r.add_line(net("s", false, "evil.com", 443)).ok());
    REQUIRE(r.add_line(net("s", true, "github.com", 443, 10)).ok());
    REQUIRE(r.add_line(net("s", true, "github.com", 443, 20)).ok());
    auto sum = mxc::audit::summarize(r.sessions()[0]);
    CHECK(sum.allowed == 2);
    CHECK(sum.denied == 3);
    REQUIRE(sum.hosts.size() == 2);
    CHECK(sum.hosts[0].host == "github.com");
    CHECK(sum.hosts[0].count == 2);
    CHECK(sum.hosts[0].bytes_up == 30);
    CHECK(sum.hosts[1].host == "evil.com");
    CHECK_FALSE(sum.hosts[1].allowed);
}

TEST_CASE("log reader collects tamper events into their session") {
    LogReader r;
    REQUIRE(r.add_line(kStart).ok());
    REQUIRE(
        r.add_line(
             R"({"ts":"t","session":"s1","agent":"","event":"tamper","path":"/w/.git/config","what":"modified; it set core.fsmonitor","action":"restored"})")
            .ok());
    REQUIRE(r.sessions().size() == 1);
    REQUIRE(r.sessions()[0].tamper.size() == 1);
    CHECK(r.sessions()[0].tamper[0].path == "/w/.git/config");
    CHECK(r.sessions()[0].tamper[0].what == "modified; it set core.fsmonitor");
    CHECK(r.sessions()[0].tamper[0].action == "restored");
}

namespace {
// A net line with the issue 11 fields.
std::string net2(bool allow, const char* host, int port, const char* rule, const char* via, const char* error,
                 const char* reason) {
    return std::string(R"({"ts":"t","session":"s","agent":"","event":"net","decision":")") +
           (allow ? "allow" : "deny") + R"(","host":")" + host + R"(","port":)" + std::to_string(port) +
           R"(,"proto":"tcp","rule":")" + rule + R"(","bytes_up":0,"bytes_down":0,"via":")" + via +
           R"(","error":")" + error + R"(","reason":")" + reason + R"("})";
}
}  // namespace

TEST_CASE("log reader reads via, error and reason, an old line without via is the proxy's") {
    auto p = mxc::audit::parse_line(
        net2(true, "db.example", 5432, "db.example:5432", "connect", "connection refused", ""));
    REQUIRE(p.ok());
    REQUIRE(p->net);
    CHECK(p->net->via == "connect");
    CHECK(p->net->error == "connection refused");
    auto old = mxc::audit::parse_line(net("s", false, "a.com", 443));
    REQUIRE(old.ok());
    CHECK(old->net->via == "proxy");
    CHECK(old->net->error.empty());
    CHECK(old->net->reason.empty());
}

TEST_CASE("session summary tallies failed upstream connections apart, with their error") {
    LogReader r;
    REQUIRE(r.add_line(net2(true, "db.example", 5432, "db.example:5432", "connect", "", "")).ok());
    REQUIRE(r.add_line(net2(true, "db.example", 5432, "db.example:5432", "proxy", "", "")).ok());
    REQUIRE(r.add_line(net2(true, "db.example", 5432, "db.example:5432", "connect", "connection refused", ""))
                .ok());
    REQUIRE(r.add_line(net2(false, "evil.example", 443, "evil.example", "connect", "",
                            "denied by [network].deny rule \\\"evil.example\\\""))
                .ok());
    auto sum = mxc::audit::summarize(r.sessions()[0]);
    CHECK(sum.allowed == 3);
    CHECK(sum.failed == 1);
    CHECK(sum.denied == 1);
    REQUIRE(sum.hosts.size() == 3);
    CHECK(sum.hosts[0].count == 2);
    CHECK_FALSE(sum.hosts[0].failed);
    CHECK(sum.hosts[0].via == "connect,proxy");
    CHECK(sum.hosts[1].failed);
    CHECK(sum.hosts[1].error == "connection refused");
    CHECK_FALSE(sum.hosts[2].allowed);
    CHECK(sum.hosts[2].reason == "denied by [network].deny rule \"evil.example\"");
}
