// Which sinks a run opens (issue 15): the caller's --audit, the profile's
// [audit], the managed policy's [audit], each once, none where the sandbox
// can write.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audit/open_sinks.hpp"
#include "support/state_dir.hpp"

using namespace mxc;
using namespace mxc::policy;

namespace {

// Outside every writable area of the policy below (see support/state_dir.hpp).
struct Dir {
    mxc::test::StateDir state;
    std::string path = state.path();
    [[nodiscard]] std::vector<std::string> lines(const std::string& name) const {
        std::ifstream f(path + "/" + name);
        std::vector<std::string> out;
        for (std::string l; std::getline(f, l);) out.push_back(l);
        return out;
    }
};

Origin managed_origin() {
    return Origin{"managed:/etc/mxc/managed.toml", 3, 8, {}};
}

AuditSettings file_sink(const std::string& path, Origin origin) {
    AuditSettings s;
    s.sink = Sourced<AuditSink>{AuditSink::File, origin};
    s.path = Sourced<std::string>{path, origin};
    return s;
}

ResolvedPolicy policy_with(const std::string& workspace) {
    ResolvedPolicy p;
    p.name = "coding-agent";
    p.chain_bytes = "test";
    p.agent_id = "claude-code";
    p.workspace = workspace;
    p.home = "/home/nobody-mxc-test";
    return p;
}

bool contains(const std::string& s, const std::string& needle) {
    return s.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("no sink named: no audit log, no error") {
    auto log = audit::open_audit_log(policy_with("/work/project"), "", "/", "s");
    REQUIRE(log.ok());
    CHECK(*log == nullptr);
}

TEST_CASE("the managed sink is written whatever the caller passes, with the policy's identity") {
    Dir dir;
    ResolvedPolicy p = policy_with("/work/project");
    p.managed_audit = file_sink(dir.path + "/managed.jsonl", managed_origin());
    {
        auto log = audit::open_audit_log(p, "", "/", "sess1");
        REQUIRE(log.ok());
        REQUIRE(*log != nullptr);
        (*log)->exit({});
    }
    const auto lines = dir.lines("managed.jsonl");
    REQUIRE(lines.size() == 1);
    CHECK(contains(lines[0], R"("session":"sess1","agent":"claude-code","user":")"));
    CHECK(contains(
        lines[0],
        R"("profile":"coding-agent","profile_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","event":"exit")"));
}

TEST_CASE("a managed file sink in the workspace is refused, naming the sink, its origin and the area") {
    Dir dir;
    ResolvedPolicy p = policy_with(dir.path);
    p.managed_audit = file_sink(dir.path + "/audit.jsonl", managed_origin());
    auto log = audit::open_audit_log(p, "", "/", "s");
    REQUIRE_FALSE(log.ok());
    CHECK(
        contains(log.error().message,
                 "cannot open the managed policy's [audit] sink (managed:/etc/mxc/managed.toml:3:8): file " +
                     dir.path + "/audit.jsonl lies in " + dir.path));
    CHECK_FALSE(std::filesystem::exists(dir.path + "/audit.jsonl"));
}

TEST_CASE("a write rule from --allow-write over the managed log's directory refuses the run") {
    Dir dir;
    ResolvedPolicy p = policy_with("/work/project");
    p.paths.push_back(PathRule{dir.path, Access::Write, Origin{{}, 0, 0, "--allow-write"}});
    p.managed_audit = file_sink(dir.path + "/audit.jsonl", managed_origin());
    auto log = audit::open_audit_log(p, "", "/", "s");
    REQUIRE_FALSE(log.ok());
    CHECK(contains(log.error().message, "lies in " + dir.path));
}

TEST_CASE("a sink in /tmp is refused for a profile, while the caller's --audit may point there") {
    ResolvedPolicy p = policy_with("/work/project");
    p.audit = file_sink("/tmp/mxc-profile-audit.jsonl", Origin{"/profiles/p.toml", 5, 8, {}});
    auto log = audit::open_audit_log(p, "", "/", "s");
    REQUIRE_FALSE(log.ok());
    CHECK(contains(log.error().message, "the profile's [audit] sink (/profiles/p.toml:5:8)"));
    CHECK(contains(log.error().message, "lies in /tmp"));

    Dir dir;
    const std::string caller =
        (std::filesystem::temp_directory_path() / ("mxc-caller-" + audit::new_session_id())).string();
    auto ok = audit::open_audit_log(policy_with("/work/project"), caller, "/", "s");
    CHECK(ok.ok());
    std::filesystem::remove(caller);
}

TEST_CASE("a relative managed path is refused") {
    ResolvedPolicy p = policy_with("/work/project");
    p.managed_audit = file_sink("var/log/mxc.jsonl", managed_origin());
    auto log = audit::open_audit_log(p, "", "/", "s");
    REQUIRE_FALSE(log.ok());
    CHECK(contains(log.error().message, "not an absolute path"));
}

TEST_CASE("the same file named by --audit, the profile and the managed policy is written once") {
    Dir dir;
    const std::string path = dir.path + "/audit.jsonl";
    ResolvedPolicy p = policy_with("/work/project");
    p.audit = file_sink(path, Origin{"/profiles/p.toml", 5, 8, {}});
    p.managed_audit = file_sink(path, managed_origin());
    {
        auto log = audit::open_audit_log(p, path, "/", "s");
        REQUIRE(log.ok());
        (*log)->exit({});
    }
    CHECK(dir.lines("audit.jsonl").size() == 1);
}

TEST_CASE("a relative --audit naming the profile's file is the same sink") {
    Dir dir;
    ResolvedPolicy p = policy_with("/work/project");
    p.audit = file_sink(dir.path + "/a.jsonl", Origin{"/profiles/p.toml", 5, 8, {}});
    {
        auto log = audit::open_audit_log(p, "./sub/../a.jsonl", dir.path, "s");
        REQUIRE(log.ok());
        (*log)->exit({});
    }
    CHECK(dir.lines("a.jsonl").size() == 1);
}

TEST_CASE("a managed sink that cannot be opened fails the run before the profile's sink is created") {
    Dir dir;
    ResolvedPolicy p = policy_with("/work/project");
    p.audit = file_sink(dir.path + "/profile.jsonl", Origin{"/profiles/p.toml", 5, 8, {}});
    p.managed_audit = file_sink(dir.path + "/missing-dir/managed.jsonl", managed_origin());
    auto log = audit::open_audit_log(p, "", "/", "s");
    REQUIRE_FALSE(log.ok());
    CHECK(contains(log.error().message, "managed"));
    CHECK(contains(log.error().message, dir.path + "/missing-dir/managed.jsonl"));
    CHECK_FALSE(std::filesystem::exists(dir.path + "/profile.jsonl"));
}

TEST_CASE("profile and managed sinks both get every event") {
    Dir dir;
    ResolvedPolicy p = policy_with("/work/project");
    p.audit = file_sink(dir.path + "/profile.jsonl", Origin{"/profiles/p.toml", 5, 8, {}});
    p.managed_audit = file_sink(dir.path + "/managed.jsonl", managed_origin());
    {
        auto log = audit::open_audit_log(p, dir.path + "/caller.jsonl", "/", "s");
        REQUIRE(log.ok());
        (*log)->net({false, "evil.example", 443, "connect", "", 0, 0, "proxy", "", ""});
        (*log)->exit({});
    }
    for (const char* name : {"profile.jsonl", "managed.jsonl", "caller.jsonl"}) {
        const auto lines = dir.lines(name);
        REQUIRE_MESSAGE(lines.size() == 2, name);
        CHECK(lines[0] == dir.lines("managed.jsonl")[0]);
    }
}
