// Attacks on everything outside the filesystem: host processes (/proc, ptrace,
// signals), the pid namespace, inherited descriptors, unix and TCP sockets to
// host services, the environment, setuid binaries, devices and /sys.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "escape_support.hpp"

using mxc::escape::check_attack;
using mxc::escape::Control;
using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::HostProcess;
using mxc::escape::kCanary;
using mxc::escape::kSecret;
using mxc::escape::Scene;

namespace {

// An owned listening socket: the stand-in for docker.sock, D-Bus, a local
// database.
class Listener {
public:
    explicit Listener(int fd) : fd_(fd) { REQUIRE(fd_ >= 0); }
    ~Listener() { close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    [[nodiscard]] int fd() const { return fd_; }

private:
    int fd_;
};

std::string random_name() {
    std::random_device rd;
    return "mxc-escape-" + std::to_string(rd()) + std::to_string(rd());
}

int listen_unix(const std::string& path, bool abstract) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len = sizeof addr;
    if (abstract) {
        std::memcpy(addr.sun_path + 1, path.data(), path.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + path.size());
    } else {
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    }
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    if (!abstract) chmod(path.c_str(), 0777);  // connect() needs write permission on the socket file
    REQUIRE(listen(fd, 16) == 0);
    return fd;
}

std::string pid_ns_inode() {
    struct stat st {};
    REQUIRE(stat("/proc/self/ns/pid", &st) == 0);
    return std::to_string(st.st_ino);
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("a host process's /proc/<pid>/root does not lead to the host filesystem") {
        Scene s;
        HostProcess host(s.outside, {});
        check_attack(
            s, {"read", "/proc/" + std::to_string(host.pid()) + "/root" + s.outside + "/secret", kSecret});
    }

    TEST_CASE("a host process's /proc/<pid>/cwd does not lead to its working directory") {
        Scene s;
        HostProcess host(s.outside, {});
        check_attack(s, {"read", "/proc/" + std::to_string(host.pid()) + "/cwd/secret", kSecret});
    }

    TEST_CASE("a host process's /proc/<pid>/environ cannot be read") {
        Scene s;
        HostProcess host(s.outside, {{"GITHUB_TOKEN", kCanary}});
        check_attack(s, {"read", "/proc/" + std::to_string(host.pid()) + "/environ", kCanary});
    }

    TEST_CASE("no visible process's /proc/<pid>/root leads to the host filesystem") {
        Scene s;
        HostProcess host(s.outside, {});  // the control's way out
        check_attack(s, {"proc_any_root", s.outside + "/secret", kSecret});
    }

    TEST_CASE("no visible process's memory holds the caller's secrets") {
        Scene s;
        s.env["GITHUB_TOKEN"] = kCanary;                           // in mxc's own environment and memory
        HostProcess host(s.outside, {{"GITHUB_TOKEN", kCanary}});  // the control's target
        check_attack(s, {"mem_scan", kCanary});
    }

    TEST_CASE("host processes are not visible in the sandbox's /proc") {
        Scene s;
        HostProcess host(s.outside, {});
        check_attack(s, {"pid_visible", std::to_string(host.pid())});
    }

    TEST_CASE("ptrace cannot attach to a host process") {
        Scene s;
        HostProcess host(s.outside, {});
        check_attack(s, {"ptrace_pid", std::to_string(host.pid())});
    }

    TEST_CASE("a host process cannot be signalled") {
        Scene s;
        HostProcess host(s.outside, {});
        std::string pid = std::to_string(host.pid());
        expect_blocked(s.inside({"signal_pid", pid}), "SIGKILL a host process");
        CHECK_MESSAGE(host.alive(), "ESCAPE: the host process died");
        expect_control(s.bare({"signal_pid", pid}), "SIGKILL a host process");
    }

    TEST_CASE("kill -9 -1 inside does not reach host processes") {
        Scene s;
        HostProcess host(s.outside, {});
        mxc::test::RunResult inside = s.inside({"kill_all", pid_ns_inode()});
        INFO("inside: status ", inside.status, "\n", inside.err);
        // The attack refuses (exit 2) when it is not in its own pid namespace:
        // kill(-1) there would take down the test runner.
        CHECK_MESSAGE(inside.status != 2, "the sandbox has no pid namespace of its own");
        CHECK_MESSAGE(host.alive(), "ESCAPE: kill(-1) inside the sandbox killed a host process");
        // Control: signals do reach the host process from outside.
        expect_control(s.bare({"signal_pid", std::to_string(host.pid())}), "SIGKILL a host process");
    }

    TEST_CASE("descriptors inherited from the caller are not readable") {
        Scene s;
        int secret = open((s.outside + "/secret").c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(secret >= 0);
        auto run = [&](const std::vector<std::string>& argv) {
            mxc::escape::SpawnOptions opt;
            opt.cwd = s.ws;
            opt.log = s.root + "/spawn.log";
            opt.extra_fds = {{3, secret}, {7, secret}};
            return mxc::escape::wait_for(mxc::escape::spawn(argv, opt), std::chrono::seconds(60));
        };
        int inside = run(s.inside_argv({"inherited_fd", kSecret}));
        INFO("log:\n", mxc::escape::slurp(s.root + "/spawn.log"));
        CHECK_MESSAGE(inside != 0, "ESCAPE: the sandbox read the secret through an inherited fd");
        CHECK(inside == 1);
        int bare = run(s.bare_argv({"inherited_fd", kSecret}));
        close(secret);
        REQUIRE_MESSAGE(bare == 0, "control: the inherited fd must be readable outside mxc");
    }

    TEST_CASE("/proc/self/fd cannot reopen a descriptor inherited from the caller") {
        Scene s;
        int secret = open((s.outside + "/secret").c_str(), O_PATH | O_CLOEXEC);
        REQUIRE(secret >= 0);
        auto run = [&](const std::vector<std::string>& argv) {
            mxc::escape::SpawnOptions opt;
            opt.cwd = s.ws;
            opt.log = s.root + "/spawn.log";
            opt.extra_fds = {{7, secret}};
            return mxc::escape::wait_for(mxc::escape::spawn(argv, opt), std::chrono::seconds(60));
        };
        int inside = run(s.inside_argv({"read", "/proc/self/fd/7", kSecret}));
        INFO("log:\n", mxc::escape::slurp(s.root + "/spawn.log"));
        CHECK_MESSAGE(inside != 0, "ESCAPE: reopened an inherited O_PATH fd through /proc/self/fd");
        CHECK(inside == 1);
        int bare = run(s.bare_argv({"read", "/proc/self/fd/7", kSecret}));
        close(secret);
        REQUIRE_MESSAGE(bare == 0, "control: /proc/self/fd/7 must reopen outside mxc");
    }

    TEST_CASE("an abstract unix socket of a host service cannot be reached") {
        Scene s;
        std::string name = random_name();
        Listener l(listen_unix(name, true));
        check_attack(s, {"abstract_connect", name});
    }

    TEST_CASE("a unix socket outside every rule (fake docker.sock) cannot be reached") {
        Scene s;
        s.plant("outside/run/.keep", "");
        Listener l(listen_unix(s.outside + "/run/docker.sock", false));
        check_attack(s, {"unix_connect", s.outside + "/run/docker.sock"});
    }

    TEST_CASE("a unix socket inside a denied directory cannot be reached") {
        Scene s;
        Listener l(listen_unix(s.home + "/.docker/docker.sock", false));
        check_attack(s, {"unix_connect", s.home + "/.docker/docker.sock"});
    }

    TEST_CASE("a unix socket in a readable directory cannot be reached without [network].unix") {
        // Issue 11: a read-only bind does not stop connect(); the broker does.
        Scene s;
        Listener l(listen_unix(s.ro + "/service.sock", false));
        check_attack(s, {"unix_connect", s.ro + "/service.sock"});
        // Positive side: the same socket with a rule that names it.
        s.flags.insert(s.flags.end(), {"--allow-unix", s.ro + "/service.sock"});
        auto inside = s.inside({"unix_connect", s.ro + "/service.sock"});
        INFO("inside with --allow-unix: status ", inside.status, "\nstderr:\n", inside.err);
        CHECK(inside.status == 0);
    }

    TEST_CASE("a link planted at an allowed socket path (two runs) does not lead to another host socket") {
        // Run 1 (the agent) replaces the allowed socket path in the workspace
        // with a link to a host socket it may not reach; run 2 connects to
        // the allowed path. The broker resolves the link inside the sandbox
        // and checks where it leads, so the rule does not follow it.
        Scene s;
        Listener other(listen_unix(s.ro + "/other.sock", false));
        s.flags.insert(s.flags.end(), {"--allow-unix", s.ws + "/agent.sock"});
        auto plant = s.inside({"symlink_plant", s.ro + "/other.sock", s.ws + "/agent.sock"});
        INFO("plant: status ", plant.status, "\nstderr:\n", plant.err);
        REQUIRE(plant.status == 0);
        check_attack(s, {"unix_connect", s.ws + "/agent.sock"});
    }

    TEST_CASE("with network mode none a TCP service on the host's loopback cannot be reached") {
        Scene s;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(listen(fd, 16) == 0);
        Listener l(fd);
        socklen_t len = sizeof addr;
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        check_attack(s, {"tcp_connect", std::to_string(ntohs(addr.sin_port))});
    }

    TEST_CASE("a denied environment variable (GITHUB_TOKEN) does not reach the sandbox even when passed") {
        Scene s;
        s.env["GITHUB_TOKEN"] = kCanary;
        check_attack(s, {"environ_scan", kCanary});
    }

    TEST_CASE("a glob-denied environment variable (AWS_SECRET_ACCESS_KEY) does not reach the sandbox") {
        Scene s;
        s.env["AWS_SECRET_ACCESS_KEY"] = kCanary;
        check_attack(s, {"environ_scan", kCanary});
    }

    TEST_CASE("a setuid binary inside the sandbox grants no other identity") {
        if (geteuid() != 0) {
            MESSAGE("skipped: creating a setuid-nobody file needs root");
            return;
        }
        Scene s;
        std::string suid = s.ws + "/bin/suid-nobody";
        std::filesystem::copy_file(s.attack, suid);
        REQUIRE(chown(suid.c_str(), 65534, 65534) == 0);
        REQUIRE(chmod(suid.c_str(), 04755) == 0);
        expect_blocked(s.inside({"euid_is", "65534"}, suid), "setuid nobody");
        expect_control(s.bare({"euid_is", "65534"}, suid), "setuid nobody");
    }

    TEST_CASE("a setuid-root binary inside the sandbox grants no root") {
        if (geteuid() != 0 || !mxc::test::unprivileged()) {
            MESSAGE("skipped: needs a root test process running children as the unprivileged test user");
            return;
        }
        Scene s;
        std::string suid = s.ws + "/bin/suid-root";
        std::filesystem::copy_file(s.attack, suid);
        REQUIRE(chown(suid.c_str(), 0, 0) == 0);
        REQUIRE(chmod(suid.c_str(), 04755) == 0);
        expect_blocked(s.inside({"euid_is", "0"}, suid), "setuid root");
        expect_control(s.bare({"euid_is", "0"}, suid), "setuid root");
    }

    TEST_CASE("device nodes cannot be created and opened") {
        Scene s;
        check_attack(s, {"mknod_dev", s.ws + "/zero"}, Control::IfPossible);  // root only outside
    }

    TEST_CASE("raw block devices cannot be read") {
        Scene s;
        check_attack(s, {"block_device_read"}, Control::IfPossible);
    }

    TEST_CASE("/sys cannot be written") {
        Scene s;
        const char* knob = "/sys/kernel/mm/transparent_hugepage/enabled";
        if (!mxc::escape::exists(knob)) {
            MESSAGE("skipped: no ", knob);
            return;
        }
        check_attack(s, {"sys_write", knob}, Control::IfPossible);  // root only outside
    }

    TEST_CASE("/proc/sys cannot be written") {
        Scene s;
        check_attack(s, {"sys_write", "/proc/sys/vm/swappiness"}, Control::IfPossible);  // root only outside
    }

}  // TEST_SUITE
