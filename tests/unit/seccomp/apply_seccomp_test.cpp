// apply_seccomp for real: each probe runs in a forked child, once with the
// default filter loaded and once without. The unfiltered control must not
// fail the same way, so a probe that never reaches the kernel cannot pass.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <functional>

#include "platform/linux/apply/seccomp_filter.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"

namespace {

using Probe = std::function<int()>;  // 0 = the call succeeded, else its errno

constexpr int kSetupFailed = 250;
constexpr int kApplyFailed = 251;

int errno_of(long rc) {
    return rc < 0 ? errno : 0;
}

// Enters a fresh user namespace (plus `extra` namespaces) so probes that need
// capabilities work for any caller, the way the sandbox itself is root in its
// own user namespace. Returns false when the host forbids it.
bool enter_userns(int extra) {
    return unshare(CLONE_NEWUSER | extra) == 0;
}

// Runs probe in a child; returns its result (0 or errno). `setup` runs before
// the filter, as mxc's namespace setup does.
int run_probe(bool filtered, const Probe& probe, const std::function<bool()>& setup = {},
              const mxc::lnx::SeccompPlan& plan = mxc::lnx::compile_seccomp({})) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (setup && !setup()) _exit(kSetupFailed);
        if (filtered) {
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kSetupFailed);
            // As a run loads it: the build-time table's bytes for the
            // default plan, compiled now for a plan that allows groups back.
            auto program = mxc::lnx::seccomp_program(plan);
            if (!program) _exit(kApplyFailed);
            mxc::Status st = mxc::lnx::apply_seccomp(program->code());
            if (!st) {
                (void)!write(2, st.error().message.data(), st.error().message.size());
                _exit(kApplyFailed);
            }
        }
        _exit(probe() & 0xff);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// The core assertion: blocked with `expected` under the filter, and not
// failing with that errno without it.
void check_denied(const Probe& probe, int expected = EPERM, const std::function<bool()>& setup = {}) {
    int control = run_probe(false, probe, setup);
    REQUIRE_MESSAGE(control != kSetupFailed, "namespace setup failed on this host");
    CHECK_MESSAGE(control != expected, "control already fails with ", std::strerror(control),
                  ": the probe proves nothing");
    int filtered = run_probe(true, probe, setup);
    REQUIRE(filtered != kApplyFailed);
    CHECK_MESSAGE(filtered == expected, "filtered probe returned ", filtered, " (", std::strerror(filtered),
                  ")");
}

void check_allowed(const Probe& probe, const std::function<bool()>& setup = {}) {
    CHECK(run_probe(false, probe, setup) == 0);
    CHECK(run_probe(true, probe, setup) == 0);
}

// A 32-bit syscall from this 64-bit process: int 0x80 uses the i386 table and
// AUDIT_ARCH_I386, so the filter must cover that architecture too.
long int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0) {
    long ret;
    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
                 : "memory", "r8", "r9", "r10", "r11");
    return ret;
}
constexpr long kI386Getpid = 20;
constexpr long kI386Ptrace = 26;
constexpr long kI386Unshare = 310;
constexpr long kI386Socket = 359;
constexpr long kI386Bpf = 357;
int int80_errno(long rc) {
    return rc < 0 && rc > -4096 ? static_cast<int>(-rc) : 0;
}
// Probed in a child: where the kernel (or the hypervisor under it) does not
// deliver int 0x80, the instruction faults with SIGSEGV instead of -ENOSYS.
bool have_ia32() {
    const pid_t child = fork();
    if (child == 0) {
        // The fault is the answer, not a crash to report (doctest, ASan).
        std::signal(SIGSEGV, SIG_DFL);
        _exit(int80(kI386Getpid) == getpid() ? 0 : 1);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Opens a pty and makes its slave our controlling terminal, the situation in
// which TIOCSTI works for an unprivileged process (legacy_tiocsti=1).
int controlling_pty() {
    int master = -1, slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return -1;
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) return -1;
    return slave;
}

// TIOCSTI works without CAP_SYS_ADMIN only while dev.tty.legacy_tiocsti=1;
// elsewhere the kernel refuses it itself and the control would be meaningless.
bool tiocsti_possible() {
    if (geteuid() == 0) return true;
    int fd = open("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;  // older kernels: always allowed on one's own tty
    char c = '1';
    bool ok = read(fd, &c, 1) == 1 && c != '0';
    close(fd);
    return ok;
}

// kernel.io_uring_disabled=2 (or 1 for a non-root caller) makes the kernel
// itself answer EPERM, which would make the control meaningless.
bool io_uring_possible() {
    int fd = open("/proc/sys/kernel/io_uring_disabled", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;
    char c = '0';
    bool ok = read(fd, &c, 1) == 1 && (c == '0' || (c == '1' && geteuid() == 0));
    close(fd);
    return ok;
}

}  // namespace

TEST_CASE("apply_seccomp refuses to load without no_new_privs") {
    int rc = run_probe(false, [] {
        auto program = mxc::lnx::seccomp_program(mxc::lnx::compile_seccomp({}));
        if (!program) return 2;
        mxc::Status st = mxc::lnx::apply_seccomp(program->code());
        return st ? 0 : 1;
    });
    CHECK(rc == 1);
}

TEST_CASE("ptrace(PTRACE_TRACEME) is denied") {
    check_denied([] { return errno_of(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)); });
}

TEST_CASE("process_vm_readv is denied") {
    check_denied([] {
        char src[8] = "secret", dst[8] = {};
        iovec local{dst, sizeof dst}, remote{src, sizeof src};
        return errno_of(process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
    });
}

TEST_CASE("TIOCSTI on the controlling tty is denied") {
    if (!tiocsti_possible()) {
        MESSAGE("skipped: dev.tty.legacy_tiocsti=0 and not root, TIOCSTI is refused by the kernel itself");
        return;
    }
    check_denied([] {
        int tty = controlling_pty();
        if (tty < 0) return 200;
        char c = 'x';
        return errno_of(ioctl(tty, TIOCSTI, &c));
    });
}

TEST_CASE("TIOCSTI with high bits set in the request is still denied") {
    if (!tiocsti_possible()) {
        MESSAGE("skipped: dev.tty.legacy_tiocsti=0 and not root, TIOCSTI is refused by the kernel itself");
        return;
    }
    check_denied([] {
        int tty = controlling_pty();
        if (tty < 0) return 200;
        char c = 'x';
        // The kernel truncates the request to unsigned int, so this is TIOCSTI.
        return errno_of(syscall(SYS_ioctl, tty, 0xffffffff00000000UL | TIOCSTI, &c));
    });
}

TEST_CASE("TIOCLINUX is denied") {
    // No VT here, so the control fails with ENOTTY/EINVAL: anything but EPERM.
    check_denied([] {
        int tty = controlling_pty();
        if (tty < 0) return 200;
        char sub = 12;  // TIOCL_GETSHIFTSTATE
        return errno_of(ioctl(tty, TIOCLINUX, &sub));
    });
}

TEST_CASE("harmless tty ioctls still work") {
    check_allowed([] {
        int tty = controlling_pty();
        if (tty < 0) return 200;
        winsize ws{};
        return errno_of(ioctl(tty, TIOCGWINSZ, &ws));
    });
}

TEST_CASE("unshare(CLONE_NEWUSER) is denied") {
    check_denied([] { return errno_of(unshare(CLONE_NEWUSER)); });
}

TEST_CASE("clone(CLONE_NEWUSER) is denied") {
    check_denied([] {
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
        return errno_of(pid);
    });
}

TEST_CASE("clone3 returns ENOSYS") {
    check_denied(
        [] {
            clone_args args{};
            args.exit_signal = SIGCHLD;
            long pid = syscall(SYS_clone3, &args, sizeof args);
            if (pid == 0) _exit(0);
            if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
            return errno_of(pid);
        },
        ENOSYS);
}

TEST_CASE("threads still start: glibc falls back from clone3 to clone") {
    check_allowed([] {
        pthread_t t;
        if (int rc = pthread_create(
                &t, nullptr, [](void*) -> void* { return nullptr; }, nullptr);
            rc != 0)
            return rc;
        return pthread_join(t, nullptr);
    });
}

TEST_CASE("fork and unprivileged namespaces other than user still work") {
    check_allowed([] {
        pid_t pid = fork();
        if (pid == 0) _exit(7);
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid) return errno;
        return WEXITSTATUS(status) == 7 ? 0 : 201;
    });
}

TEST_CASE("socket(AF_NETLINK) is denied") {
    check_denied([] { return errno_of(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)); });
}

TEST_CASE("socket(AF_NETLINK) with high bits in the domain is denied") {
    check_denied([] { return errno_of(syscall(SYS_socket, (1UL << 32) | AF_NETLINK, SOCK_RAW, 0)); });
}

TEST_CASE("socket(AF_VSOCK) is denied") {
    // Without the vsock module the control gets EAFNOSUPPORT: not EPERM.
    check_denied([] { return errno_of(socket(AF_VSOCK, SOCK_STREAM, 0)); });
}

TEST_CASE("socket(AF_PACKET) is denied even with CAP_NET_RAW in a user namespace") {
    check_denied([] { return errno_of(socket(AF_PACKET, SOCK_RAW, 0)); }, EPERM,
                 [] { return enter_userns(CLONE_NEWNET); });
}

TEST_CASE("socket(AF_INET SOCK_RAW) is denied even with CAP_NET_RAW in a user namespace") {
    check_denied([] { return errno_of(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)); }, EPERM,
                 [] { return enter_userns(CLONE_NEWNET); });
}

TEST_CASE("socket(AF_INET6 SOCK_RAW) is denied even with CAP_NET_RAW in a user namespace") {
    check_denied([] { return errno_of(socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMPV6)); }, EPERM,
                 [] { return enter_userns(CLONE_NEWNET); });
}

TEST_CASE("ordinary sockets still work: TCP UDP IPv6 and unix") {
    check_allowed([] {
        for (auto [domain, type] : {std::pair{AF_INET, SOCK_STREAM}, std::pair{AF_INET, SOCK_DGRAM},
                                    std::pair{AF_INET6, SOCK_STREAM}, std::pair{AF_UNIX, SOCK_STREAM},
                                    std::pair{AF_UNIX, SOCK_DGRAM}}) {
            int fd = socket(domain, type | SOCK_CLOEXEC, 0);
            if (fd < 0) return errno;
            close(fd);
        }
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return errno;
        return 0;
    });
}

TEST_CASE("open and read still work") {
    check_allowed([] {
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0) return errno;
        char buf[64];
        return read(fd, buf, sizeof buf) > 0 ? 0 : errno;
    });
}

TEST_CASE("io_uring_setup is denied") {
    if (!io_uring_possible()) {
        MESSAGE("skipped: kernel.io_uring_disabled refuses io_uring here already");
        return;
    }
    check_denied([] {
        io_uring_params params{};
        long fd = syscall(SYS_io_uring_setup, 4, &params);
        return errno_of(fd);
    });
}

TEST_CASE("io_uring_enter and io_uring_register are denied") {
    check_denied([] { return errno_of(syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0)); });
    check_denied([] { return errno_of(syscall(SYS_io_uring_register, -1, 0, nullptr, 0)); });
}

TEST_CASE("bpf is denied") {
    // An unknown command: EINVAL from the kernel, EPERM from the filter.
    check_denied([] { return errno_of(syscall(SYS_bpf, 9999, nullptr, 0)); });
}

TEST_CASE("keyctl add_key and request_key are denied") {
    check_denied(
        [] { return errno_of(syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3 /*session*/, 0)); });
    check_denied([] { return errno_of(syscall(SYS_request_key, "user", "mxc-no-such-key", nullptr, 0)); });
    check_denied([] { return errno_of(syscall(SYS_add_key, "user", "mxc-test", "v", 1, -3)); });
}

TEST_CASE("perf_event_open is denied") {
    // A null attr: EFAULT from the kernel, EPERM from the filter.
    check_denied([] { return errno_of(syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0)); });
}

TEST_CASE("userfaultfd is denied") {
    check_denied([] {
        long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
        return errno_of(fd);
    });
}

TEST_CASE("mount is denied even for root in a user namespace") {
    check_denied([] { return errno_of(mount("none", "/tmp", "tmpfs", 0, nullptr)); }, EPERM,
                 [] { return enter_userns(CLONE_NEWNS); });
}

TEST_CASE("the new mount API (fsopen open_tree pivot_root) and umount2 are denied") {
    auto ns = [] { return enter_userns(CLONE_NEWNS); };
    check_denied([] { return errno_of(syscall(SYS_fsopen, "tmpfs", 0)); }, EPERM, ns);
    check_denied([] { return errno_of(syscall(SYS_open_tree, AT_FDCWD, "/tmp", 1 /*OPEN_TREE_CLONE*/)); },
                 EPERM, ns);
    check_denied([] { return errno_of(umount2("/mxc-not-mounted", 0)); }, EPERM, ns);
    check_denied([] { return errno_of(syscall(SYS_pivot_root, "/mxc-none", "/mxc-none")); }, EPERM, ns);
}

TEST_CASE("module loading and kexec are denied") {
    // Unprivileged callers get EPERM from the kernel anyway, which would make
    // the control meaningless: only root can tell the filter apart.
    if (geteuid() != 0) {
        MESSAGE("skipped: needs root for a meaningful control");
        return;
    }
    check_denied([] { return errno_of(syscall(SYS_finit_module, -1, "", 0)); });
    check_denied([] { return errno_of(syscall(SYS_delete_module, "mxc_no_such_module", O_NONBLOCK)); });
    // Invalid flags: the kernel answers EINVAL without touching kexec state.
    check_denied([] { return errno_of(syscall(SYS_kexec_load, 0, 0, nullptr, 0xdead0000UL)); });
}

TEST_CASE("32-bit syscalls through int 0x80 are filtered too") {
    if (!have_ia32()) {
        MESSAGE("skipped: int 0x80 faults on this host (no IA-32 emulation), so it is not a way in");
        return;
    }
    check_denied([] { return int80_errno(int80(kI386Ptrace, PTRACE_TRACEME)); });
    check_denied([] { return int80_errno(int80(kI386Unshare, CLONE_NEWUSER)); });
    check_denied([] { return int80_errno(int80(kI386Socket, AF_NETLINK, SOCK_RAW, 0)); });
    check_denied([] { return int80_errno(int80(kI386Bpf, 9999, 0, 0)); });
    check_allowed([] { return int80(kI386Getpid) > 0 ? 0 : 202; });
}

TEST_CASE("32-bit socketcall(SYS_SOCKET) cannot smuggle a netlink socket past the filter") {
    if (!have_ia32()) {
        MESSAGE("skipped: int 0x80 faults on this host (no IA-32 emulation)");
        return;
    }
    check_denied([] {
        // socketcall reads its arguments from memory the i386 ABI can address.
        void* low =
            mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (low == MAP_FAILED) return 203;
        auto* args = static_cast<std::uint32_t*>(low);
        args[0] = AF_NETLINK;
        args[1] = SOCK_RAW;
        args[2] = 0;
        constexpr long kI386Socketcall = 102;
        return int80_errno(int80(kI386Socketcall, 1 /*SYS_SOCKET*/, reinterpret_cast<long>(low)));
    });
}

TEST_CASE("x32 syscall numbers are not a way around the filter") {
    constexpr long kX32Bit = 0x40000000;
    constexpr long kX32Ptrace = 521;  // x32's own ptrace entry
    int filtered =
        run_probe(true, [] { return errno_of(syscall(kX32Bit | kX32Ptrace, PTRACE_TRACEME, 0, 0, 0)); });
    // EPERM from the filter, or ENOSYS where the kernel has no x32 ABI.
    CHECK((filtered == EPERM || filtered == ENOSYS));
}

TEST_CASE("a group allowed back by the profile really works under the filter") {
    mxc::policy::ResolvedPolicy p;
    p.seccomp.allow.push_back({"ptrace", {}});
    auto plan = mxc::lnx::compile_seccomp(p);
    auto traceme = [] { return errno_of(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)); };
    CHECK(run_probe(true, traceme, {}, plan) == 0);
    // ...while the rest of the filter stays in force.
    CHECK(run_probe(
              true, [] { return errno_of(syscall(SYS_bpf, 9999, nullptr, 0)); }, {}, plan) == EPERM);
}

TEST_CASE("TIOCSTI stays denied when every group is allowed back") {
    if (!tiocsti_possible()) {
        MESSAGE("skipped: dev.tty.legacy_tiocsti=0 and not root, TIOCSTI is refused by the kernel itself");
        return;
    }
    mxc::policy::ResolvedPolicy p;
    for (const char* g : mxc::policy::kSeccompGroups) p.seccomp.allow.push_back({g, {}});
    auto plan = mxc::lnx::compile_seccomp(p);
    auto sti = [] {
        int tty = controlling_pty();
        if (tty < 0) return 200;
        char c = 'x';
        return errno_of(ioctl(tty, TIOCSTI, &c));
    };
    CHECK(run_probe(false, sti) == 0);
    CHECK(run_probe(true, sti, {}, plan) == EPERM);
    // And the allowed-back groups are really open: a netlink socket works.
    CHECK(run_probe(
              true, [] { return errno_of(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)); }, {}, plan) == 0);
}
