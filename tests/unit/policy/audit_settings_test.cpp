// [audit] in a profile and --agent (issue 15): where a profile's runs write
// their events, and the agent id every event carries.
#include <doctest/doctest.h>

#include <algorithm>

#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::errors;
using mxc::policy::testing::first_error;
using mxc::policy::testing::load;
using mxc::policy::testing::load_ok;

TEST_CASE("[audit] journald sink resolves with its origin and no path") {
    auto p = load_ok("schema = 1\n[audit]\nsink = \"journald\"\n");
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::Journald);
    CHECK(p.audit->sink.origin.describe() == "/profiles/test.toml:3:8");
    CHECK_FALSE(p.audit->path);
    CHECK_FALSE(p.managed_audit);
}

TEST_CASE("[audit] file path is expanded like a filesystem path") {
    auto p =
        load_ok("schema = 1\n[audit]\nsink = \"file\"\npath = \"{home}/.local/state/mxc/../mxc/a.jsonl\"\n");
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::File);
    REQUIRE(p.audit->path);
    CHECK(p.audit->path->value == "/home/alice/.local/state/mxc/a.jsonl");
}

TEST_CASE("[audit] syslog may name its socket") {
    auto p = load_ok("schema = 1\n[audit]\nsink = \"syslog\"\npath = \"/run/rsyslog/mxc.sock\"\n");
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::Syslog);
    CHECK(p.audit->path->value == "/run/rsyslog/mxc.sock");
}

TEST_CASE("[audit] with only a path is a file sink") {
    auto p = load_ok("schema = 1\n[audit]\npath = \"/var/log/mxc/a.jsonl\"\n");
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::File);
}

TEST_CASE("[audit] file sink without a path is refused at the sink's position") {
    CHECK(first_error("schema = 1\n[audit]\nsink = \"file\"\n") ==
          "test.toml:3:8: error: [audit].sink \"file\" needs a path (add path = "
          "\"{home}/.local/state/mxc/audit.jsonl\" (outside every writable area))");
}

TEST_CASE("[audit] unknown sink, stray path and unknown key are refused with file:line:col") {
    CHECK(first_error("schema = 1\n[audit]\nsink = \"splunk\"\n")
              .rfind("test.toml:3:8: error: invalid [audit].sink \"splunk\"", 0) == 0);
    CHECK(first_error("schema = 1\n[audit]\nsink = \"journald\"\npath = \"/x\"\n")
              .rfind("test.toml:4:8: error: [audit].path has no meaning for sink \"journald\"", 0) == 0);
    const auto misspelt = errors("schema = 1\n[audit]\nsinc = \"journald\"\n");
    CHECK(std::any_of(misspelt.begin(), misspelt.end(), [](const std::string& e) {
        return e.find("did you mean \"sink\"") != std::string::npos;
    }));
    CHECK(first_error("schema = 1\n[audit]\n").find("[audit] names no sink") != std::string::npos);
}

#ifndef _WIN32
TEST_CASE("[audit] eventlog is refused on Linux rather than writing nowhere") {
    CHECK(first_error("schema = 1\n[audit]\nsink = \"eventlog\"\n")
              .rfind("test.toml:3:8: error: [audit].sink \"eventlog\": the Windows Event Log is not "
                     "available here",
                     0) == 0);
}
#endif

TEST_CASE("[audit] of the last layer wins as a whole") {
    auto p = load_ok("schema = 1\nextends = \"default\"\n[audit]\nsink = \"syslog\"\n");
    REQUIRE(p.audit);
    CHECK(p.audit->sink.value == AuditSink::Syslog);
    CHECK_FALSE(p.audit->path);
}

TEST_CASE("no [audit] leaves the policy without a profile sink") {
    CHECK_FALSE(load_ok("schema = 1\n").audit);
}

TEST_CASE("--agent sets the agent id and overrides [agent].id") {
    CliOverrides cli;
    cli.agent = "claude-code@ci";
    CHECK(load_ok("schema = 1\n[agent]\nid = \"codex\"\n", cli).agent_id == "claude-code@ci");
    CHECK(load_ok("schema = 1\n[agent]\nid = \"codex\"\n").agent_id == "codex");
}

TEST_CASE("--agent refuses names an audit field cannot carry") {
    for (std::string bad : {std::string(""), std::string("two words"), std::string("a\nb"),
                            std::string("x\"y"), std::string(65, 'a')}) {
        CliOverrides cli;
        cli.agent = bad;
        auto r = load("schema = 1\n", cli);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("--agent") != std::string::npos);
        // Never printed raw: a control byte is named by its code.
        if (bad == "a\nb") CHECK(r.error().message.find("0x0a") != std::string::npos);
    }
    CliOverrides ok;
    ok.agent = std::string(64, 'a');
    CHECK(load("schema = 1\n", ok).ok());
}

TEST_CASE("[agent].id follows the same rules as --agent") {
    CHECK(first_error("schema = 1\n[agent]\nid = \"my agent\"\n")
              .rfind("test.toml:3:6: error: [agent].id: the agent name holds the character 0x20", 0) == 0);
}
