#include "platform/linux/apply/init_helper.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/cpu_affinity.hpp"
#include "platform/linux/apply/raw_syscall.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {
namespace {

constexpr const char* kHelperName = "mxc-init";
// Changes whenever what the arguments or the orders carry changes: an
// mxc-init from another build refuses to start instead of misreading them.
constexpr std::string_view kProtocol = "--mxc-init-protocol=1";
constexpr std::size_t kBlockSize = 64 * 1024;

// Everything the child reads, at the bottom of the mapping whose top is
// its stack. Filled by the parent before clone, never written after.
struct LaunchBlock {
    int helper_fd;
    int report_fd;
    bool raise_ambient;           // the ids map to a uid other than 0 (below)
    std::array<int, 4> keep_fds;  // inherited by mxc-init: close-on-exec cleared in the child only
    std::array<char, 48> uid_map;
    std::array<char, 48> gid_map;
    std::array<std::array<char, 32>, InitHelperLaunch::kArgs - 1> args;
    std::array<char, CPU_SETSIZE / 4 + 2> cpus;  // the last argument: the caller's CPU affinity
    std::array<char*, InitHelperLaunch::kArgs + 1> argv;
    std::array<char*, 1> envp;
};

long write_proc(const char* path, const char* text) {
    const long fd = raw(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fd;
    std::size_t len = 0;
    while (text[len] != '\0') ++len;
    const long w = raw(SYS_write, fd, reinterpret_cast<long>(text), static_cast<long>(len));
    raw(SYS_close, fd);
    if (w < 0) return w;
    return w == static_cast<long>(len) ? 0 : -EIO;
}

// A SetupError report (child_report.hpp), put together without libc.
[[noreturn]] void child_fail(const LaunchBlock& b, const char* what, long err) {
    char msg[200];
    std::size_t n = 5;
    auto put = [&](const char* s) {
        while (*s != '\0' && n < sizeof msg - 12) msg[n++] = *s++;
    };
    put("sandbox init (mxc-init): ");
    put(what);
    put(" failed, errno ");
    char digits[12];
    int d = 0;
    unsigned long v = static_cast<unsigned long>(err < 0 ? -err : err);
    do {
        digits[d++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0 && d < 11);
    while (d > 0) msg[n++] = digits[--d];
    const std::size_t len = n - 5;
    msg[0] = static_cast<char>(ReportTag::SetupError);
    for (int i = 0; i < 4; ++i) msg[1 + i] = static_cast<char>((len >> (8 * i)) & 0xff);
    raw(SYS_write, b.report_fd, reinterpret_cast<long>(msg), static_cast<long>(n));
    raw(SYS_exit, 125);
    __builtin_unreachable();
}

int launch_child(void* arg) {
    const LaunchBlock& b = *static_cast<const LaunchBlock*>(arg);
    // As root of the new user namespace before execve, so that mxc-init
    // keeps its capabilities there (an unmapped uid loses them on execve).
    // setgroups first: an unprivileged gid_map needs it denied.
    if (long r = write_proc("/proc/self/setgroups", "deny"); r < 0) child_fail(b, "writing setgroups", r);
    if (long r = write_proc("/proc/self/uid_map", b.uid_map.data()); r < 0)
        child_fail(b, "writing uid_map", r);
    if (long r = write_proc("/proc/self/gid_map", b.gid_map.data()); r < 0)
        child_fail(b, "writing gid_map", r);
    // A uid other than 0 loses every capability on execve, even in its own
    // user namespace; ambient capabilities are what survives it. mxc-init
    // needs them (mounts, network namespace); the command's child clears the
    // ambient set with the rest (capabilities.cpp) before its own execve.
    if (b.raise_ambient) {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        std::array<__user_cap_data_struct, 2> data{};
        if (long r = raw(SYS_capget, reinterpret_cast<long>(&header), reinterpret_cast<long>(data.data()));
            r < 0)
            child_fail(b, "capget", r);
        for (auto& d : data) d.inheritable = d.permitted;
        if (long r = raw(SYS_capset, reinterpret_cast<long>(&header), reinterpret_cast<long>(data.data()));
            r < 0)
            child_fail(b, "capset", r);
        for (long cap = 0; cap <= 63; ++cap) {
            const long r = raw(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
            if (r == -EINVAL) break;  // past this kernel's last capability
            if (r < 0) child_fail(b, "PR_CAP_AMBIENT_RAISE", r);
        }
    }
    for (const int fd : b.keep_fds) {
        if (long r = raw(SYS_fcntl, fd, F_SETFD, 0); r < 0) child_fail(b, "fcntl(F_SETFD)", r);
    }
    const long r =
        raw(SYS_execveat, b.helper_fd, reinterpret_cast<long>(""), reinterpret_cast<long>(b.argv.data()),
            reinterpret_cast<long>(b.envp.data()), AT_EMPTY_PATH);
    child_fail(b, "execve", r);
}

bool put_number(std::array<char, 32>& into, std::uint64_t v) {
    auto [end, ec] = std::to_chars(into.data(), into.data() + into.size() - 1, v);
    if (ec != std::errc()) return false;
    *end = '\0';
    return true;
}

bool parse_number(const char* s, std::uint64_t& out) {
    const std::string_view text(s);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// "-" (leave the affinity alone) or the set as hex digits, CPU 0 last.
void put_cpus(std::array<char, CPU_SETSIZE / 4 + 2>& into, const cpu_set_t* cpus) {
    if (cpus == nullptr) {
        into[0] = '-';
        into[1] = '\0';
        return;
    }
    constexpr int kDigits = CPU_SETSIZE / 4;
    for (int d = 0; d < kDigits; ++d) {
        unsigned nibble = 0;
        for (int bit = 0; bit < 4; ++bit) {
            if (CPU_ISSET(d * 4 + bit, cpus)) nibble |= 1U << bit;
        }
        into[static_cast<std::size_t>(kDigits - 1 - d)] = "0123456789abcdef"[nibble];
    }
    into[kDigits] = '\0';
}

bool parse_cpus(std::string_view text, cpu_set_t& out) {
    CPU_ZERO(&out);
    constexpr std::size_t kDigits = CPU_SETSIZE / 4;
    if (text.size() != kDigits) return false;
    for (std::size_t i = 0; i < kDigits; ++i) {
        const char c = text[kDigits - 1 - i];
        unsigned nibble = 0;
        if (c >= '0' && c <= '9') {
            nibble = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            nibble = static_cast<unsigned>(c - 'a' + 10);
        } else {
            return false;
        }
        for (unsigned bit = 0; bit < 4; ++bit) {
            if ((nibble >> bit & 1U) != 0) CPU_SET(static_cast<int>(i * 4 + bit), &out);
        }
    }
    return true;
}

std::uint64_t mask_bits(const sigset_t& mask) {
    std::uint64_t bits = 0;
    for (int sig = 1; sig <= 64 && sig < NSIG; ++sig) {
        if (::sigismember(&mask, sig) == 1) bits |= std::uint64_t{1} << (sig - 1);
    }
    return bits;
}

}  // namespace

UniqueFd open_init_helper() {
    std::array<char, PATH_MAX> exe{};
    const ssize_t n = ::readlink("/proc/self/exe", exe.data(), exe.size() - 1);
    if (n <= 0) return {};
    struct stat self {};
    if (::stat("/proc/self/exe", &self) != 0) return {};
    const std::string_view path(exe.data(), static_cast<std::size_t>(n));
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    const std::string dir(path.substr(0, slash == 0 ? 1 : slash));
    const UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd.valid()) return {};
    for (const char* relative : {"mxc-init", "../libexec/mxc/mxc-init"}) {
        UniqueFd fd(::openat(dir_fd.get(), relative, O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid()) continue;
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) continue;
        // Same owner as the running mxc, writable by no one else: whoever
        // could replace it could replace mxc itself.
        if (S_ISREG(st.st_mode) && st.st_uid == self.st_uid && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
            (st.st_mode & S_IXUSR) != 0)
            return fd;
    }
    return {};
}

std::unique_ptr<InitHelperLaunch> InitHelperLaunch::start(int helper, const EarlyChild& child) {
    std::unique_ptr<InitHelperLaunch> launch(new InitHelperLaunch());
    void* mem =
        ::mmap(nullptr, kBlockSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mem == MAP_FAILED) return nullptr;
    launch->block_ = mem;
    launch->block_size_ = kBlockSize;
    launch->block_free_ = true;  // until a child exists
    // cppcheck-suppress legacyUninitvar ; placement new into the fresh mapping
    auto* b = new (mem) LaunchBlock{};
    b->helper_fd = helper;
    b->report_fd = child.report_fd;
    b->raise_ambient = child.uid != 0;
    b->keep_fds = {child.report_fd, child.alive_fd, child.channel_fd, child.orders_fd};
    const std::string uid_map = own_id_map(child.uid);
    const std::string gid_map = own_id_map(child.gid);
    if (uid_map.size() >= b->uid_map.size() || gid_map.size() >= b->gid_map.size()) return nullptr;
    std::memcpy(b->uid_map.data(), uid_map.c_str(), uid_map.size() + 1);
    std::memcpy(b->gid_map.data(), gid_map.c_str(), gid_map.size() + 1);

    sigset_t all;
    sigset_t caller;
    ::sigfillset(&all);
    // The child runs with every signal blocked (a handler would run on the
    // parent's memory); mxc-init gets the caller's mask as an argument.
    ::pthread_sigmask(SIG_SETMASK, &all, &caller);
    const std::uint64_t flags = (child.caller_ignores_sigchld ? 1U : 0U) | (child.verbose ? 2U : 0U);
    bool ok = kProtocol.size() < b->args[1].size();
    if (ok) {
        std::memcpy(b->args[0].data(), kHelperName, std::strlen(kHelperName) + 1);
        std::memcpy(b->args[1].data(), kProtocol.data(), kProtocol.size());
        b->args[1][kProtocol.size()] = '\0';
        ok = put_number(b->args[2], static_cast<std::uint64_t>(child.report_fd)) &&
             put_number(b->args[3], static_cast<std::uint64_t>(child.alive_fd)) &&
             put_number(b->args[4], static_cast<std::uint64_t>(child.channel_fd)) &&
             put_number(b->args[5], static_cast<std::uint64_t>(child.orders_fd)) &&
             put_number(b->args[6], flags) && put_number(b->args[7], mask_bits(caller));
    }
    if (!ok) {
        ::pthread_sigmask(SIG_SETMASK, &caller, nullptr);
        return nullptr;
    }
    for (std::size_t i = 0; i < b->args.size(); ++i) b->argv[i] = b->args[i].data();
    b->argv[b->args.size()] = b->cpus.data();
    b->argv[b->args.size() + 1] = nullptr;
    b->envp[0] = nullptr;

    // The child would start on this core, behind the parent, until the
    // scheduler moved it (0.2-3 ms measured): it is sent to another core at
    // once, and mxc-init puts back the caller's affinity first thing.
    const auto push = other_cpus();
    put_cpus(b->cpus, push ? &push->allowed : nullptr);

    int clone_flags = CLONE_VM | CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD;
    if (!kRawSyscalls) clone_flags |= CLONE_VFORK;
    char* stack_top = static_cast<char*>(mem) + kBlockSize;
    const pid_t pid = ::clone(launch_child, stack_top, clone_flags, b);
    const int clone_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &caller, nullptr);
    if (pid < 0) {
        errno = clone_errno;
        return nullptr;
    }
    if (push) (void)::sched_setaffinity(pid, sizeof push->elsewhere, &push->elsewhere);
    launch->pid_ = pid;
    launch->block_free_ = !kRawSyscalls;  // a vfork child is past its execve already
    return launch;
}

InitHelperLaunch::~InitHelperLaunch() {
    if (block_ == nullptr) return;
    if (!block_free_ && pid_ > 0) {
        // Reaped means it can no longer run on the block.
        int status = 0;
        block_free_ = ::waitpid(pid_, &status, WNOHANG) == pid_;
    }
    if (block_free_) ::munmap(block_, block_size_);
    // Else: left mapped until mxc exits (64 KiB of its own memory, nothing
    // on the host), because the child may still be before its execve.
}

bool parse_init_helper_args(int argc, const char* const* argv, EarlyChild& out, sigset_t& caller_mask) {
    if (argc != InitHelperLaunch::kArgs || argv[1] != kProtocol) return false;
    std::array<std::uint64_t, 6> v{};
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!parse_number(argv[2 + i], v[i])) return false;
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (v[i] > INT_MAX) return false;
    }
    out.report_fd = static_cast<int>(v[0]);
    out.alive_fd = static_cast<int>(v[1]);
    out.channel_fd = static_cast<int>(v[2]);
    out.orders_fd = static_cast<int>(v[3]);
    out.uid = ::getuid();
    out.gid = ::getgid();
    out.caller_ignores_sigchld = (v[4] & 1U) != 0;
    out.verbose = (v[4] & 2U) != 0;
    out.ids_mapped = true;
    ::sigemptyset(&caller_mask);
    for (int sig = 1; sig <= 64 && sig < NSIG; ++sig) {
        if ((v[5] >> (sig - 1) & 1U) != 0) ::sigaddset(&caller_mask, sig);
    }
    out.caller_mask = &caller_mask;
    const std::string_view cpus(argv[InitHelperLaunch::kArgs - 1]);
    if (cpus != "-") {
        if (!parse_cpus(cpus, out.cpu_affinity)) return false;
        out.restore_affinity = true;
    }
    return true;
}

}  // namespace mxc::lnx
