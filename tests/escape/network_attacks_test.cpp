// Attacks through the egress proxy: a host-name rule must never lead to a
// service of this host. The proxy resolves names itself, so the attacker's
// lever is DNS: a name the profile allows that resolves to an address of one
// of this host's interfaces would reach every service bound to 0.0.0.0.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "escape_support.hpp"

using mxc::escape::check_attack;
using mxc::escape::GreetingServer;
using mxc::escape::kSecret;
using mxc::escape::own_address;
using mxc::escape::Scene;

namespace {

// The name the tests make resolve to this host's address. ".test" is
// reserved (RFC 6761): it cannot mean a real host anywhere.
constexpr const char* kAlias = "own-host.mxc.test";

// Makes kAlias resolve to `address` for this test process and its children
// only: /etc/hosts is replaced by a bind mount in a private mount namespace,
// which disappears with the process; the host's /etc/hosts is never touched.
// Done once per process (the file must outlive every run that reads it) and
// before any thread starts: unshare(CLONE_NEWNS) needs an unshared fs_struct.
// False when this process may not do it (not root).
class PrivateHosts {
public:
    static bool point_alias_at(const std::string& address) {
        if (geteuid() != 0) return false;
        static PrivateHosts hosts(address);
        return true;
    }
    ~PrivateHosts() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    PrivateHosts(const PrivateHosts&) = delete;
    PrivateHosts& operator=(const PrivateHosts&) = delete;

private:
    explicit PrivateHosts(const std::string& address) {
        std::string tmpl = "/var/tmp/mxc-hosts-XXXXXX";
        step(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
        dir_ = tmpl;
        step(chmod(dir_.c_str(), 0755) == 0, "chmod");
        std::string file = dir_ + "/hosts";
        {
            std::ofstream out(file);
            out << "127.0.0.1 localhost\n::1 localhost\n" << address << " " << kAlias << "\n";
        }
        step(chmod(file.c_str(), 0644) == 0, "chmod hosts");
        step(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)");
        step(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "make / private");
        step(mount(file.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) == 0, "bind-mount over /etc/hosts");
    }
    static void step(bool ok, const char* what) {
        std::string why = ok ? "" : std::string(what) + ": " + std::strerror(errno);
        REQUIRE_MESSAGE(ok, why);
    }
    std::string dir_;
};

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("an allowed host name that resolves to this host's own address does not reach its services") {
        const std::string address = own_address();
        if (address.empty()) {
            MESSAGE("skipped: this host has no IPv4 address besides loopback and link-local");
            return;
        }
        Scene s;
        if (!PrivateHosts::point_alias_at(address)) {
            MESSAGE("skipped: pointing a name at this host's address needs root (a private /etc/hosts)");
            return;
        }
        GreetingServer server;  // on 0.0.0.0, as databases and dev servers often are
        s.flags.insert(s.flags.end(), {"--allow-net", std::string(kAlias) + ":" + server.port()});
        // Inside: the proxy resolves the allowed name to this host's address
        // and refuses. Bare: the same service answers on that address.
        check_attack(s, {"host_service", kAlias, address, server.port(), kSecret});
    }

    TEST_CASE("an explicit IP rule for this host's own address does reach its services") {
        // The positive side of the test above: the address is not
        // unreachable, it only needs a rule that names it.
        const std::string address = own_address();
        if (address.empty()) {
            MESSAGE("skipped: this host has no IPv4 address besides loopback and link-local");
            return;
        }
        Scene s;
        if (!PrivateHosts::point_alias_at(address)) {
            MESSAGE("skipped: pointing a name at this host's address needs root (a private /etc/hosts)");
            return;
        }
        GreetingServer server;  // on 0.0.0.0, as databases and dev servers often are
        s.flags.insert(s.flags.end(), {"--allow-net", std::string(kAlias) + ":" + server.port(),
                                       "--allow-net", address + ":" + server.port()});
        auto inside = s.inside({"host_service", kAlias, address, server.port(), kSecret});
        INFO("inside: status ", inside.status, "\nstderr:\n", inside.err);
        CHECK(inside.status == 0);
    }
}
