#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"

namespace {

struct TempLog {
    std::string path =
        (std::filesystem::temp_directory_path() / ("mxc-audit-" + mxc::audit::new_session_id())).string();
    ~TempLog() { std::filesystem::remove(path); }
    std::vector<std::string> lines() const {
        std::ifstream f(path);
        std::vector<std::string> out;
        for (std::string l; std::getline(f, l);) out.push_back(l);
        return out;
    }
};

}  // namespace

TEST_CASE("audit start event carries the envelope and the start fields") {
    TempLog log;
    {
        auto a = mxc::audit::AuditLog::open(log.path, "abc123", "claude-code");
        REQUIRE(a.ok());
        (*a)->start({"default", "00ff", {"bash", "-c", "echo hi"}, "/w", "alice", "linux", {"landlock"}, {}});
    }
    auto lines = log.lines();
    REQUIRE(lines.size() == 1);
    const std::string& l = lines[0];
    CHECK(l.rfind("{\"ts\":\"", 0) == 0);
    CHECK(l.find(R"("session":"abc123","agent":"claude-code","user":")") != std::string::npos);
    CHECK(l.find(R"("profile":"default","profile_sha256":"00ff","event":"start","argv":)") !=
          std::string::npos);
    CHECK(l.find(R"("argv":["bash","-c","echo hi"])") != std::string::npos);
    CHECK(l.find(R"("enforced":["landlock"],"warnings":[]})") != std::string::npos);
}

TEST_CASE("audit net and exit events have the documented fields") {
    TempLog log;
    {
        auto a = mxc::audit::AuditLog::open(log.path, "s", "");
        REQUIRE(a.ok());
        (*a)->net({true, "github.com", 443, "connect", "github.com", 10, 20, "proxy", "", ""});
        (*a)->exit({3, 0, "exited", 12, 5, 2048});
        // Allowed but failed upstream; denied with a reason (issue 11).
        (*a)->net(
            {true, "down.example", 443, "connect", "down.example", 0, 0, "proxy", "connection refused", ""});
        (*a)->net({false, "evil.example", 443, "tcp", "evil.example", 0, 0, "connect", "",
                   "denied by [network].deny rule \"evil.example\""});
    }
    auto lines = log.lines();
    REQUIRE(lines.size() == 4);
    CHECK(
        lines[0].find(
            R"("event":"net","decision":"allow","host":"github.com","port":443,"proto":"connect","rule":"github.com","bytes_up":10,"bytes_down":20,"via":"proxy"})") !=
        std::string::npos);
    CHECK(lines[2].find(R"("bytes_down":0,"via":"proxy","error":"connection refused"})") !=
          std::string::npos);
    CHECK(lines[3].find(R"("decision":"deny")") != std::string::npos);
    CHECK(lines[3].find(R"("via":"connect","reason":"denied by [network].deny rule \"evil.example\""})") !=
          std::string::npos);
    CHECK(
        lines[1].find(
            R"("event":"exit","status":3,"signal":0,"reason":"exited","wall_ms":12,"cpu_ms":5,"max_rss_kb":2048})") !=
        std::string::npos);
}

TEST_CASE("audit log is created private to the user and appended to") {
    TempLog log;
    for (int i = 0; i < 2; ++i) {
        auto a = mxc::audit::AuditLog::open(log.path, "s", "");
        REQUIRE(a.ok());
        (*a)->exit({});
    }
    struct stat st {};
    REQUIRE(stat(log.path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(log.lines().size() == 2);
}

TEST_CASE("audit lines from many threads never interleave") {
    TempLog log;
    {
        auto a = mxc::audit::AuditLog::open(log.path, "s", "");
        REQUIRE(a.ok());
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 200; ++i)
                    (*a)->net(
                        {false, std::string(500, char('a' + t)), 80, "http", "", 0, 0, "proxy", "", ""});
            });
        }
        for (auto& th : threads) th.join();
    }
    auto lines = log.lines();
    CHECK(lines.size() == 1600);
    for (const auto& l : lines) {
        CHECK(l.front() == '{');
        CHECK(l.back() == '}');
    }
}

TEST_CASE("audit log open failure names the path and a fix") {
    auto a = mxc::audit::AuditLog::open("/nonexistent-dir/x.log", "s", "");
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.find("/nonexistent-dir/x.log") != std::string::npos);
}

TEST_CASE("session ids are 32 hex digits and differ") {
    auto a = mxc::audit::new_session_id();
    auto b = mxc::audit::new_session_id();
    CHECK(a.size() == 32);
    CHECK(a != b);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("audit tamper events carry path, what and action") {
    TempLog log;
    {
        auto a = mxc::audit::AuditLog::open(log.path, "s", "");
        REQUIRE(a.ok());
        (*a)->tamper({"/w/.git/hooks/pre-commit", "created (a file)", "removed"});
    }
    auto lines = log.lines();
    REQUIRE(lines.size() == 1);
    CHECK(
        lines[0].find(
            R"x("event":"tamper","path":"/w/.git/hooks/pre-commit","what":"created (a file)","action":"removed"})x") !=
        std::string::npos);
}
