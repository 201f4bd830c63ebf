// `mxc exec` makes the sandbox's user, mount, IPC and network namespaces in a
// holder process while it reads the profile, and init joins them
// (docs/design.md, "Startup budget"). The command must see exactly what a
// cloned sandbox gives it, a plan they do not fit must clone its own, and the
// holder must never outlive mxc.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "support.hpp"

using namespace mxc::itest;
using mxc::test::TempDir;

namespace {

mxc::test::RunResult mxc_v_exec(const TempDir& ws, const std::string& profile, const std::string& script) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "-v", "exec", "-p", profile, "-w", ws.path(), "--", "sh", "-c", script};
    spec.cwd = ws.path();
    return mxc::test::run(spec);
}

// Interface names in a /proc/net/dev listing.
std::vector<std::string> interfaces(const std::string& net_dev) {
    std::vector<std::string> names;
    std::size_t at = 0;
    while (at < net_dev.size()) {
        const std::size_t end = net_dev.find('\n', at);
        const std::string line = net_dev.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? net_dev.size() : end + 1;
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos || line.find('|') != std::string::npos) continue;
        const std::size_t first = line.find_first_not_of(' ');
        names.push_back(line.substr(first, colon - first));
    }
    return names;
}

std::string own_uid_map() {
    const std::string uid = std::to_string(mxc::test::unprivileged() ? mxc::test::test_uid() : ::getuid());
    return uid + " " + uid + " 1";
}

std::string squeeze(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    return out;
}

}  // namespace

TEST_CASE(
    "mxc exec: init joins the namespaces made while the profile was read and they are the sandbox's own") {
    TempDir ws;
    // Control: the host has an interface besides loopback, so a sandbox that
    // shared the host's network namespace would show it.
    const auto host = interfaces(mxc::test::read_file("/proc/net/dev"));
    REQUIRE_MESSAGE(host.size() > 1, "the host has only loopback: the check below would prove nothing");

    auto r = mxc_v_exec(ws, "default", "echo $$; cat /proc/self/uid_map; cat /proc/net/dev");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK_MESSAGE(contains(r.err, "setup: namespaces: joined"), r.err);
    CHECK_MESSAGE(!contains(r.err, "setup: namespaces: clone"), r.err);
    // The holder wrote the id maps and brought loopback up: init does not.
    CHECK_MESSAGE(!contains(r.err, "setup: user namespace: uid/gid maps"), r.err);
    CHECK_MESSAGE(!contains(r.err, "setup: network namespace: loopback up"), r.err);

    const std::size_t first = r.out.find('\n');
    REQUIRE(first != std::string::npos);
    CHECK(r.out.substr(0, first) == "2");  // pid 1 is init: a pid namespace of its own
    CHECK(contains(squeeze(r.out), own_uid_map()));
    const std::size_t net = r.out.find("Inter-|");
    REQUIRE(net != std::string::npos);
    CHECK(interfaces(r.out.substr(net)) == std::vector<std::string>{"lo"});
}

TEST_CASE("mxc exec: a plan the early namespaces do not fit (network = host) clones its own") {
    TempDir ws;
    const std::string profile = ws.path() + "/hostnet.toml";
    {
        std::ofstream f(profile);
        f << "schema = 1\nname = \"hostnet\"\nextends = [\"default\"]\n[network]\nmode = \"host\"\n";
    }
    ::chmod(profile.c_str(), 0644);
    auto r = mxc_v_exec(ws, profile, "echo $$; cat /proc/net/dev");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK_MESSAGE(contains(r.err, "setup: namespaces: clone (user, mount, pid, ipc)"), r.err);
    CHECK_MESSAGE(!contains(r.err, "setup: namespaces: joined"), r.err);
    CHECK(r.out.substr(0, r.out.find('\n')) == "2");
    const std::size_t net = r.out.find("Inter-|");
    REQUIRE(net != std::string::npos);
    CHECK(interfaces(r.out.substr(net)) == interfaces(mxc::test::read_file("/proc/net/dev")));
}

TEST_CASE(
    "mxc exec: the namespace holder never outlives mxc (refused profile or mxc killed while reading it)") {
    TempDir ws;
    const std::string marker = "holder-marker-" + std::to_string(::getpid());

    // Refused: mxc reaps the holder before it exits 125.
    const std::string bad = ws.path() + "/bad.toml";
    {
        std::ofstream f(bad);
        f << "schema = 1\nname = \"bad\"\n[filesystem]\nread = 7\n";
    }
    ::chmod(bad.c_str(), 0644);
    auto refused = mxc_v_exec(ws, bad, "true " + marker);
    CHECK(refused.status == 125);
    CHECK(contains(refused.err, "bad.toml:"));
    CHECK(processes_with(marker).empty());

    // Killed while it waits for the profile on a FIFO: the holder exists
    // meanwhile (so this checks something), then dies with mxc.
    const std::string fifo = ws.path() + "/profile.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
    ::chmod(fifo.c_str(), 0666);
    Background mxc({MXC_BINARY, "exec", "-p", fifo, "-w", ws.path(), "--", "sh", "-c", "true " + marker},
                   ws.path());
    std::size_t seen = 0;
    for (int i = 0; i < 200 && seen < 2; ++i) {
        seen = processes_with(marker).size();
        if (seen < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_MESSAGE(seen == 2, "expected mxc and its namespace holder, saw " << seen);
    mxc.signal(SIGKILL);
    CHECK(mxc.wait() == 128 + SIGKILL);
    CHECK(wait_until_gone(marker, std::chrono::milliseconds(3000)));
}
