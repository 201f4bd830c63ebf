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
using mxc::escape::kSecret;
using mxc::escape::Scene;

namespace {

// The name the tests make resolve to this host's address. ".test" is
// reserved (RFC 6761): it cannot mean a real host anywhere.
constexpr const char* kAlias = "own-host.mxc.test";

// The first IPv4 address of this host that is neither loopback nor
// link-local (e.g. eth0's), or "" when there is none.
std::string own_address() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return {};
    std::string found;
    for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
        std::uint32_t a = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
        if ((a >> 24) == 127 || (a >> 16) == 0xa9fe) continue;
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
        found = text;
    }
    freeifaddrs(list);
    return found;
}

// A host service bound to 0.0.0.0 (every address of this host), as
// databases and dev servers often are: it greets every client with kSecret.
class WildcardServer {
public:
    WildcardServer() {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_ANY);
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(listen(fd_, 16) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~WildcardServer() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    WildcardServer(const WildcardServer&) = delete;
    WildcardServer& operator=(const WildcardServer&) = delete;
    [[nodiscard]] std::string port() const { return std::to_string(port_); }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            std::string banner = std::string(kSecret) + "\n";
            (void)!write(c, banner.data(), banner.size());
            close(c);
        }
    }
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

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
        WildcardServer server;
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
        WildcardServer server;
        s.flags.insert(s.flags.end(), {"--allow-net", std::string(kAlias) + ":" + server.port(),
                                       "--allow-net", address + ":" + server.port()});
        auto inside = s.inside({"host_service", kAlias, address, server.port(), kSecret});
        INFO("inside: status ", inside.status, "\nstderr:\n", inside.err);
        CHECK(inside.status == 0);
    }
}
