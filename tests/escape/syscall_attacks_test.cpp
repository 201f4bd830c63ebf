// Attacks on the kernel surface the seccomp filter closes (docs/design.md
// "Enforcement"): one test case per group, plus terminal injection.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "escape_support.hpp"

using mxc::escape::check_attack;
using mxc::escape::Control;
using mxc::escape::Scene;

TEST_SUITE("escape") {
    TEST_CASE("ptrace: attaching to a process is blocked") {
        Scene s;
        check_attack(s, {"ptrace_child"});
    }

    // An early init clones the command's child before the plan exists and
    // arms it with the plan's filter later (command_standby.hpp). A profile
    // that takes a group back must get its own filter, not the built-in
    // profiles' one: here ptrace works inside, where the plain profile
    // blocks it. So a child loading the wrong filter fails this test in one
    // direction, one loading none in the other (the test above).
    TEST_CASE("ptrace: a profile that allows it back gets its own filter, not the built-in one") {
        Scene s;
        const std::string allowing =
            s.plant("allow-ptrace.toml",
                    "schema = 1\nextends = \"" + s.profile + "\"\n[seccomp]\nallow = [\"ptrace\"]\n");
        const auto blocked = s.inside({"ptrace_child"});
        CHECK_MESSAGE(blocked.status == 1, "the plain profile: ", blocked.out, blocked.err);
        s.profile = allowing;
        const auto allowed = s.inside({"ptrace_child"});
        CHECK_MESSAGE(allowed.status == 0, "with [seccomp] allow = [\"ptrace\"]: ", allowed.out, allowed.err);
    }

    TEST_CASE("process_vm: reading another process's memory is blocked") {
        Scene s;
        check_attack(s, {"process_vm_child"});
    }

    TEST_CASE("io_uring: io_uring_setup is blocked") {
        Scene s;
        check_attack(s, {"io_uring"});
    }

    TEST_CASE("bpf: creating a BPF map is blocked") {
        Scene s;
        // Unprivileged BPF is off on most hosts: then only root shows anything.
        check_attack(s, {"bpf"}, Control::IfPossible);
    }

    TEST_CASE("keyring: reaching the user's kernel keyring is blocked") {
        Scene s;
        check_attack(s, {"keyring"});
    }

    TEST_CASE("perf_event: perf_event_open is blocked") {
        Scene s;
        check_attack(s, {"perf_event"});
    }

    TEST_CASE("userfaultfd: creating a userfaultfd is blocked") {
        Scene s;
        check_attack(s, {"userfaultfd"});
    }

    TEST_CASE("mount: mounting a tmpfs is blocked") {
        Scene s;
        s.plant("ws/mnt/.keep", "");
        check_attack(s, {"mount_tmpfs", s.ws + "/mnt"});
    }

    TEST_CASE("mount: the new mount API (fsopen/fsmount) is blocked") {
        Scene s;
        check_attack(s, {"mount_new_api"});
    }

    TEST_CASE("userns: unshare(CLONE_NEWUSER) is blocked") {
        Scene s;
        check_attack(s, {"userns_unshare"});
    }

    TEST_CASE("userns: clone(CLONE_NEWUSER) is blocked") {
        Scene s;
        check_attack(s, {"userns_clone"});
    }

    TEST_CASE("userns: clone3(CLONE_NEWUSER) is blocked") {
        Scene s;
        check_attack(s, {"userns_clone3"});
    }

    TEST_CASE("netlink: opening a netlink socket is blocked") {
        Scene s;
        check_attack(s, {"netlink"});
    }

    TEST_CASE("vsock: opening a vsock socket to the hypervisor is blocked") {
        Scene s;
        check_attack(s, {"vsock"}, Control::IfPossible);  // needs the vsock module on the host
    }

    TEST_CASE("packet: opening an AF_PACKET socket is blocked") {
        Scene s;
        check_attack(s, {"packet"});
    }

    TEST_CASE("raw_sockets: opening a raw IPv4 socket is blocked") {
        Scene s;
        check_attack(s, {"raw_inet"});
    }

    TEST_CASE("raw_sockets: opening a raw IPv6 socket is blocked") {
        Scene s;
        check_attack(s, {"raw_inet6"});
    }

    namespace {

    struct TiocstiRun {
        int status = -1;
        std::string injected;  // what arrived in the terminal's input queue
    };

    // Runs argv with a fresh pty as its controlling terminal and stdin, then
    // reads back whatever was pushed into that terminal's input queue.
    TiocstiRun run_on_pty(const std::vector<std::string>& argv, const std::string& cwd) {
        TiocstiRun result;
        int master = -1, slave = -1;
        REQUIRE(openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
        termios raw{};
        tcgetattr(slave, &raw);
        cfmakeraw(&raw);
        tcsetattr(slave, TCSANOW, &raw);
        fcntl(master, F_SETFL, O_NONBLOCK);
        mxc::escape::SpawnOptions opt;
        opt.tty = slave;
        opt.cwd = cwd;
        pid_t pid = mxc::escape::spawn(argv, opt);
        result.status = mxc::escape::wait_for(pid, std::chrono::seconds(60), master);
        fcntl(slave, F_SETFL, O_NONBLOCK);
        char buf[4096];
        ssize_t n;
        while ((n = read(slave, buf, sizeof buf)) > 0) result.injected.append(buf, static_cast<size_t>(n));
        close(master);
        close(slave);
        return result;
    }

    }  // namespace

    TEST_CASE("tiocsti: typing into the caller's terminal is blocked") {
        Scene s;
        const std::string payload = "MXCINJ\n";
        TiocstiRun inside = run_on_pty(s.inside_argv({"tiocsti", payload}), s.ws);
        INFO("inside status ", inside.status);
        CHECK_MESSAGE(inside.injected.find("MXCINJ") == std::string::npos,
                      "ESCAPE: the sandbox typed into the terminal");
        CHECK(inside.status == 1);
        TiocstiRun bare = run_on_pty(s.bare_argv({"tiocsti", payload}), s.ws);
        INFO("bare status ", bare.status, ", injected \"", bare.injected, "\"");
        if (bare.status != 0 && mxc::escape::slurp("/proc/sys/dev/tty/legacy_tiocsti").rfind('0', 0) == 0) {
            MESSAGE("skipped control: dev.tty.legacy_tiocsti=0, the kernel itself refuses TIOCSTI here");
            return;
        }
        REQUIRE_MESSAGE(bare.status == 0,
                        "control: TIOCSTI must work outside mxc (dev.tty.legacy_tiocsti=1)");
        CHECK(bare.injected.find("MXCINJ") != std::string::npos);
    }

}  // TEST_SUITE
