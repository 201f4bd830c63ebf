// Audit sinks and attribution through the real front end (issue 15): a
// profile's [audit] sink gets every event, every event names the agent, the
// user and the policy, and a sink a sandboxed run could tamper with is refused.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "common/unique_fd.hpp"
#include "support.hpp"
#include "support/state_dir.hpp"

using mxc::itest::contains;
using mxc::test::StateDir;
using mxc::test::TempDir;

namespace {

// The test's stand-in for a syslog daemon: a bound unix datagram socket.
class DatagramServer {
public:
    explicit DatagramServer(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size());
        if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("bind failed");
        // The unprivileged test user sends to it.
        if (::chmod(path.c_str(), 0666) != 0) throw std::runtime_error("chmod failed");
    }
    // Every datagram received so far (mxc has exited: all were sent).
    std::vector<std::string> drain() const {
        std::vector<std::string> out;
        std::vector<char> buf(1 << 16);
        for (;;) {
            pollfd p{fd_.get(), POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) break;
            const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
            if (n <= 0) break;
            out.emplace_back(buf.data(), static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    mxc::UniqueFd fd_;
};

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
constexpr const char* kJournald = "/lib/systemd/systemd-journald";

mxc::test::RunResult mxc_in(const TempDir& ws, const std::vector<std::string>& args) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = ws.path();
    spec.env = mxc::itest::plain_env();
    return mxc::test::run(spec);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        if (nl > pos) out.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

// A run that produces start, a denied connection (net) and exit events.
// (Tamper events need a planted git hook, which the default profile's
// read-only .git prevents; tests/unit/audit checks their identity fields.)
const char* kEveryEvent = "curl -s --max-time 5 http://denied.example/ >/dev/null; exit 3";

}  // namespace

TEST_CASE("audit sinks: a profile's syslog sink and --audit get every event, each naming the --agent") {
    TempDir ws;
    StateDir state;
    const std::string sock = state.path() + "/log.sock";
    DatagramServer syslog(sock);
    const std::string profile =
        ws.write("audited.toml",
                 "schema = 1\nextends = \"default\"\n[agent]\nid = \"from-profile\"\n[audit]\nsink = "
                 "\"syslog\"\npath = \"" +
                     sock + "\"\n");
    const std::string log = state.path() + "/caller.jsonl";
    auto r = mxc_in(ws, {"exec", "-p", profile, "-w", ws.path(), "--agent", "ci-bot@runner-7", "--allow-net",
                         "allowed.example", "--audit", log, "--", "sh", "-c", kEveryEvent});
    CHECK(r.status == 3);

    const std::string uid = std::to_string(mxc::test::test_uid());
    const auto file_lines = lines_of(mxc::test::read_file(log));
    const auto datagrams = syslog.drain();
    REQUIRE(file_lines.size() == 3);
    // The same events reach both sinks, in the same order.
    REQUIRE(datagrams.size() == file_lines.size());
    CHECK(contains(file_lines[0], "\"event\":\"start\""));
    CHECK(contains(file_lines[1], "\"event\":\"net\",\"decision\":\"deny\",\"host\":\"denied.example\""));
    CHECK(contains(file_lines[2], "\"event\":\"exit\",\"status\":3"));
    for (std::size_t i = 0; i < file_lines.size(); ++i) {
        const std::string& line = file_lines[i];
        const std::string& msg = datagrams[i];
        // --agent overrides [agent].id, on every event.
        CHECK(contains(line, "\"agent\":\"ci-bot@runner-7\""));
        CHECK(contains(line, "\"uid\":" + uid + ","));
        CHECK(contains(line, "\"profile\":\"audited\""));
        CHECK(contains(line, "\"profile_sha256\":\""));
        CHECK_FALSE(contains(line, "\"profile_sha256\":\"\""));
        // RFC 5424: the identity as structured data, the same JSON line as message.
        CHECK(msg.rfind("<8", 0) == 0);
        CHECK(contains(msg, " mxc "));
        CHECK(contains(msg, "[mxc@32473 session=\""));
        CHECK(contains(msg, " agent=\"ci-bot@runner-7\" "));
        CHECK(contains(msg, " uid=\"" + uid + "\" "));
        CHECK(contains(msg, " profile=\"audited\" "));
        CHECK(msg.size() > line.size());
        CHECK(msg.compare(msg.size() - line.size(), line.size(), line) == 0);
    }
}

TEST_CASE("audit sinks: a profile's file sink outside the writable areas gets every event, created 0600") {
    TempDir ws;
    StateDir state;
    const std::string path = state.path() + "/profile.jsonl";
    const std::string profile = ws.write(
        "p.toml",
        "schema = 1\nextends = \"default\"\n[agent]\nid = \"codex\"\n[audit]\nsink = \"file\"\npath = \"" +
            path + "\"\n");
    auto r = mxc_in(ws, {"exec", "-p", profile, "-w", ws.path(), "--", "sh", "-c", "exit 4"});
    CHECK(r.status == 4);
    const auto lines = lines_of(mxc::test::read_file(path));
    REQUIRE(lines.size() == 2);
    CHECK(contains(lines[0], "\"agent\":\"codex\""));
    CHECK(contains(lines[1], "\"agent\":\"codex\""));
    CHECK(contains(lines[1], "\"event\":\"exit\""));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_uid == mxc::test::test_uid());
}

TEST_CASE(
    "audit sinks: a profile's file sink inside the workspace is refused with 125 before anything runs") {
    TempDir ws;
    const std::string profile = ws.write(
        "p.toml",
        "schema = 1\nextends = \"default\"\n[audit]\nsink = \"file\"\npath = \"{workspace}/audit.jsonl\"\n");
    auto r = mxc_in(ws, {"exec", "-p", profile, "-w", ws.path(), "--", "touch", "ran"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "the profile's [audit] sink (" + profile + ":4:8)"));
    CHECK(contains(r.err, ws.path() + "/audit.jsonl lies in " + ws.path()));
    CHECK_FALSE(std::filesystem::exists(ws.path() + "/audit.jsonl"));
    CHECK_FALSE(std::filesystem::exists(ws.path() + "/ran"));
    // Control: the same run without the sink runs.
    const std::string plain = ws.write("plain.toml", "schema = 1\nextends = \"default\"\n");
    CHECK(mxc_in(ws, {"exec", "-p", plain, "-w", ws.path(), "--", "touch", "ran"}).status == 0);
    CHECK(std::filesystem::exists(ws.path() + "/ran"));
}

TEST_CASE("audit sinks: a syslog socket in a temp dir is refused with 125, a link to one too") {
    TempDir ws;
    TempDir tmp;  // under /tmp: every run can write there
    StateDir state;
    DatagramServer planted(tmp.path() + "/log.sock");
    const std::string profile =
        ws.write("p.toml", "schema = 1\nextends = \"default\"\n[audit]\nsink = \"syslog\"\npath = \"" +
                               tmp.path() + "/log.sock\"\n");
    auto r = mxc_in(ws, {"exec", "-p", profile, "-w", ws.path(), "--", "true"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "socket " + tmp.path() + "/log.sock lies in /tmp"));
    // A link from outside to the planted socket: connect() would follow it.
    std::filesystem::create_symlink(tmp.path() + "/log.sock", state.path() + "/link.sock");
    const std::string linked =
        ws.write("l.toml", "schema = 1\nextends = \"default\"\n[audit]\nsink = \"syslog\"\npath = \"" +
                               state.path() + "/link.sock\"\n");
    auto l = mxc_in(ws, {"exec", "-p", linked, "-w", ws.path(), "--", "true"});
    CHECK(l.status == 125);
    CHECK(contains(l.err, "lies in /tmp"));
    CHECK(planted.drain().empty());
}

TEST_CASE(
    "audit sinks: without a journal on the host, a journald sink is refused with 125 naming the socket") {
    TempDir ws;
    struct stat st {};
    if (::stat(kJournalSocket, &st) == 0) {
        MESSAGE("a journal runs on this host: the next test reads events back from it");
        return;
    }
    const std::string profile =
        ws.write("j.toml", "schema = 1\nextends = \"default\"\n[audit]\nsink = \"journald\"\n");
    auto r = mxc_in(ws, {"exec", "-p", profile, "-w", ws.path(), "--agent", "ci-bot", "--", "touch", "ran"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "the profile's [audit] sink (" + profile + ":4:8)"));
    CHECK(contains(r.err, kJournalSocket));
    CHECK_FALSE(std::filesystem::exists(ws.path() + "/ran"));
}

TEST_CASE(
    "audit sinks: journald events carry the agent, the user and the profile, read back with journalctl") {
    TempDir ws;
    StateDir state;
    const std::string profile =
        ws.write("j.toml", "schema = 1\nextends = \"default\"\n[audit]\nsink = \"journald\"\n");
    const std::string log = state.path() + "/caller.jsonl";
    std::string run_mxc = std::string(MXC_BINARY) + " exec -p " + profile + " -w " + ws.path() +
                          " --agent ci-bot@runner-7 --audit " + log + " -- sh -c 'exit 2'";
    if (mxc::test::unprivileged()) {
        run_mxc = "setpriv --reuid=" + std::to_string(mxc::test::test_uid()) +
                  " --regid=" + std::to_string(mxc::test::test_gid()) + " --clear-groups " + run_mxc;
    }
    // The session id comes from the --audit file; journalctl filters on it.
    const std::string read_back = "s=$(sed -n 's/.*\"session\":\"\\([0-9a-f]*\\)\".*/\\1/p' " + log +
                                  " | head -n 1); sleep 0.5; journalctl -o json --no-pager MXC_SESSION=$s";
    std::string script;
    struct stat st {};
    if (::stat(kJournalSocket, &st) == 0) {
        script = run_mxc + "; echo status=$?; " + read_back;
    } else {
        // No journal here: start one in a private mount namespace, on
        // tmpfs, so the host's /run and /var/log stay as they are.
        if (::geteuid() != 0 || ::access(kJournald, X_OK) != 0) {
            MESSAGE("no journal, and no way to start a private one here (needs root and " << kJournald
                                                                                          << ")");
            return;
        }
        script = std::string("set -e; mount -t tmpfs tmpfs /run/systemd; mount -t tmpfs tmpfs /run/log; ") +
                 "mount -t tmpfs tmpfs /var/log/journal 2>/dev/null || true; " + kJournald +
                 " >/dev/null 2>&1 & j=$!; for i in $(seq 50); do [ -S " + kJournalSocket +
                 " ] && break; sleep 0.1; done; set +e; " + run_mxc + "; echo status=$?; " + read_back +
                 "; kill $j; wait $j";
    }
    mxc::test::RunSpec spec;
    spec.argv = {"unshare", "-m", "--propagation", "private", "sh", "-c", script};
    spec.as_test_identity = false;
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    INFO(r.err);
    CHECK(contains(r.out, "status=2"));
    const auto entries = lines_of(r.out.substr(r.out.find('\n') + 1));
    REQUIRE(entries.size() == 2);  // start and exit
    for (const auto& e : entries) {
        CHECK(contains(e, "\"MXC_AGENT\":\"ci-bot@runner-7\""));
        CHECK(contains(e, "\"MXC_UID\":\"" + std::to_string(mxc::test::test_uid()) + "\""));
        CHECK(contains(e, "\"MXC_PROFILE\":\"j\""));
        CHECK(contains(e, "\"MXC_PROFILE_SHA256\":\""));
        CHECK(contains(e, "\"SYSLOG_IDENTIFIER\":\"mxc\""));
        CHECK(contains(e, "\"MXC_JSON\":\"{"));
    }
    CHECK(contains(entries[0], "\"MXC_EVENT\":\"start\""));
    CHECK(contains(entries[1], "\"MXC_EVENT\":\"exit\""));
}

TEST_CASE("audit sinks: explain shows the profile's sink and its origin") {
    TempDir ws;
    const std::string profile =
        ws.write("p.toml", "schema = 1\nextends = \"default\"\n[audit]\nsink = \"syslog\"\n");
    auto r = mxc_in(ws, {"explain", "-p", profile, "-w", ws.path()});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "[audit]"));
    CHECK(contains(r.out, "profile syslog /dev/log"));
    CHECK(contains(r.out, profile + ":4:8"));
}

TEST_CASE("audit sinks: --agent with a space is refused with 125") {
    TempDir ws;
    auto r = mxc_in(ws, {"exec", "-w", ws.path(), "--agent", "two words", "--", "true"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "--agent"));
}
