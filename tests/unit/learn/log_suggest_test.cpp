// `mxc log --suggest` proposes its rules with the same code as `mxc learn`:
// the audit log's denied destinations through learn::suggest_hosts.
#include <doctest/doctest.h>

#include "audit/log_reader.hpp"
#include "audit/session_summary.hpp"
#include "learn/host_suggest.hpp"
#include "learn/toml_writer.hpp"

using mxc::audit::LogReader;

namespace {

std::string net(const char* session, bool allow, const char* host, int port, int up = 0) {
    return std::string(R"({"ts":"t","session":")") + session + R"(","agent":"","event":"net","decision":")" +
           (allow ? "allow" : "deny") + R"(","host":")" + host + R"(","port":)" + std::to_string(port) +
           R"(,"proto":"connect","rule":")" + (allow ? host : "") + R"(","bytes_up":)" + std::to_string(up) +
           R"(,"bytes_down":5})";
}

std::string net2(bool allow, const char* host, int port, const char* rule, const char* via, const char* error,
                 const char* reason) {
    return std::string(R"({"ts":"t","session":"s","agent":"","event":"net","decision":")") +
           (allow ? "allow" : "deny") + R"(","host":")" + host + R"(","port":)" + std::to_string(port) +
           R"(,"proto":"tcp","rule":")" + rule + R"(","bytes_up":0,"bytes_down":0,"via":")" + via +
           R"(","error":")" + error + R"(","reason":")" + reason + R"("})";
}

std::vector<mxc::learn::HostNeed> suggested(const LogReader& r) {
    std::vector<mxc::learn::PathRefusal> skipped;
    return mxc::learn::suggest_hosts(mxc::audit::denied_destinations(r.sessions()), nullptr, skipped);
}

}  // namespace

TEST_CASE("suggested rules fold ports 80 and 443 into the host form and keep other ports") {
    LogReader r;
    REQUIRE(r.add_line(net("s", false, "pypi.org", 443)).ok());
    REQUIRE(r.add_line(net("s", false, "pypi.org", 80)).ok());
    REQUIRE(r.add_line(net("s", false, "db.internal", 5432)).ok());
    REQUIRE(r.add_line(net("s", false, "2001:db8::1", 8080)).ok());
    REQUIRE(r.add_line(net("s", true, "github.com", 443)).ok());
    auto rules = suggested(r);
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].rule == "pypi.org");
    CHECK(rules[0].count == 2);
    CHECK(rules[1].rule == "[2001:db8::1]:8080");
    CHECK(rules[2].rule == "db.internal:5432");
}

TEST_CASE("suggested rules flag loopback and metadata addresses for review") {
    LogReader r;
    REQUIRE(r.add_line(net("s", false, "169.254.169.254", 80)).ok());
    REQUIRE(r.add_line(net("s", false, "example.com", 443)).ok());
    auto rules = suggested(r);
    REQUIRE(rules.size() == 2);
    for (const auto& rule : rules) CHECK(rule.needs_review == (rule.rule == "169.254.169.254"));
}

TEST_CASE(
    "suggested rules: not for failed connections, deny-rule or loopback denials, a lookup suggests the "
    "name") {
    LogReader r;
    REQUIRE(r.add_line(net2(true, "db.example", 5432, "db.example:5432", "connect", "connection refused", ""))
                .ok());
    REQUIRE(
        r.add_line(net2(false, "evil.example", 443, "evil.example", "connect", "", "denied by rule")).ok());
    REQUIRE(
        r.add_line(net2(false, "local.example", 443, "", "proxy", "", "local.example resolved to 127.0.0.1"))
            .ok());
    REQUIRE(r.add_line(net2(false, "pypi.org", 0, "", "dns", "", "")).ok());
    std::string unix_line = net2(false, "/run/docker.sock", 0, "", "connect", "", "");
    unix_line.replace(unix_line.find(R"("tcp")"), 5, R"("unix")");
    REQUIRE(r.add_line(unix_line).ok());
    auto rules = suggested(r);
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].rule == "pypi.org");
}

TEST_CASE("mxc log --suggest --toml prints a [network] table with the denial counts") {
    LogReader r;
    REQUIRE(r.add_line(net("s", false, "pypi.org", 443)).ok());
    REQUIRE(r.add_line(net("s", false, "pypi.org", 443)).ok());
    REQUIRE(r.add_line(net("s", false, "127.0.0.1", 8080)).ok());
    const std::string text = mxc::learn::network_table(suggested(r), "denied");
    CHECK(text.find("mode = \"allowlist\"\n") != std::string::npos);
    CHECK(text.find("\n  \"pypi.org\",") != std::string::npos);
    CHECK(text.find("  # denied 2x\n") != std::string::npos);
    CHECK(text.find("  # \"127.0.0.1:8080\",") != std::string::npos);
}
