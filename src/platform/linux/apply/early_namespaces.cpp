#include "platform/linux/apply/early_namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "platform/linux/apply/net_ns.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {
namespace {

constexpr int kHolderNamespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;

// What a forked step sends back: which step failed (0 = none) and errno, or
// the new process's pid.
struct StepStatus {
    int step = 0;
    int err = 0;
    long pid = 0;
};

const char* holder_step_name(int step) {
    switch (step) {
        case 1:
            return "unshare (user, mount, ipc, net)";
        case 2:
            return "uid/gid maps";
        case 3:
            return "loopback up";
        default:
            return "exited before it was ready";
    }
}

const char* spawn_step_name(int step) {
    switch (step) {
        case 1:
            return "setns into the early namespaces";
        case 2:
            return "unshare (pid)";
        case 3:
            return "clone of sandbox init";
        default:
            return "the spawning child sent nothing";
    }
}

void send_status(int fd, const StepStatus& status) {
    // A pipe write this small is atomic; nothing to do if the reader is gone.
    (void)!::write(fd, &status, sizeof status);
}

// The holder: makes the namespaces, says so, then only waits for the
// supervisor to let go (or die). It never runs anything of the sandbox.
[[noreturn]] void holder_main(int hold, int ready, pid_t supervisor, unsigned uid, unsigned gid) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != supervisor) _exit(1);  // the supervisor died before the prctl
    StepStatus status;
    if (::unshare(kHolderNamespaces) != 0) {
        status = {1, errno, 0};
    } else if (auto st = map_own_ids(uid, gid); !st) {
        status = {2, errno, 0};
    } else if (auto up = bring_up_loopback(); !up) {
        status = {3, errno, 0};
    }
    // Left dumpable, unlike init: setns(2) through its pidfd needs ptrace
    // access, which an unprivileged supervisor lacks to a non-dumpable
    // process. The sandbox cannot reach it: it is not in the sandbox's pid
    // namespace, and it exits as soon as init holds the namespaces.
    send_status(ready, status);
    ::close(ready);
    char byte;
    while (::read(hold, &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
}

// Kernel struct clone_args, up to the pidfd field's use.
struct CloneArgs {
    std::uint64_t flags;
    std::uint64_t pidfd;
    std::uint64_t child_tid;
    std::uint64_t parent_tid;
    std::uint64_t exit_signal;
    std::uint64_t stack;
    std::uint64_t stack_size;
    std::uint64_t tls;
};

Result<StepStatus> read_status(int fd) {
    StepStatus status{-1, 0, 0};
    ssize_t n;
    do {
        n = ::read(fd, &status, sizeof status);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error("early namespaces: read");
    if (n != static_cast<ssize_t>(sizeof status)) status = StepStatus{-1, 0, 0};
    return status;
}

}  // namespace

std::unique_ptr<EarlyNamespaces> EarlyNamespaces::start() {
    int hold[2];
    int ready[2];
    if (::pipe2(hold, O_CLOEXEC) != 0) return nullptr;
    UniqueFd hold_read(hold[0]), hold_write(hold[1]);
    if (::pipe2(ready, O_CLOEXEC) != 0) return nullptr;
    UniqueFd ready_read(ready[0]), ready_write(ready[1]);
    const unsigned uid = ::getuid();
    const unsigned gid = ::getgid();
    const pid_t self = ::getpid();

    int pidfd = -1;
    CloneArgs args{};
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return nullptr;  // no clone3 or no pidfd: launch the usual way
    if (pid == 0) {
        ::close(hold_write.release());
        ::close(ready_read.release());
        holder_main(hold_read.get(), ready_write.get(), self, uid, gid);
    }
    return std::unique_ptr<EarlyNamespaces>(new EarlyNamespaces(
        static_cast<pid_t>(pid), UniqueFd(pidfd), std::move(hold_write), std::move(ready_read), uid, gid));
}

EarlyNamespaces::~EarlyNamespaces() {
    hold_.reset();
    if (pidfd_.valid()) (void)::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
    // Reaped here, not where it was let go: by now it has long exited, so
    // the launch never waits for it.
    while (::waitpid(holder_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

bool EarlyNamespaces::fits(const LinuxPlan& plan) const {
    return plan.new_net && !plan.cgroup && !plan.learning && plan.uid == uid_ && plan.gid == gid_;
}

Status EarlyNamespaces::wait_ready() {
    if (!ready_.valid()) return make_error("early namespaces: already used");
    auto status = read_status(ready_.get());
    ready_.reset();
    if (!status) return status.error();
    if (status->step != 0) {
        return make_error(std::string("early namespaces: ") + holder_step_name(status->step) +
                          (status->err != 0 ? std::string(": ") + std::strerror(status->err) : ""));
    }
    return {};
}

Result<pid_t> EarlyNamespaces::spawn_init(void (*init_main)(void*), void* arg) {
    MXC_TRY(wait_ready());
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return sys_error("early namespaces: pipe2");
    UniqueFd report_read(report[0]), report_write(report[1]);
    const int pidfd = pidfd_.get();
    const int write_fd = report_write.get();

    // vfork: the spawning child borrows our memory (no page-table copy) and
    // joins the namespaces, which this process must never do itself. Init is
    // then a fork of it that keeps our parent (CLONE_PARENT), so it is our
    // child as if we had cloned it, and pid 1 of the pid namespace the
    // spawning child unshared. vfork rather than clone(CLONE_VM) on a stack
    // of our own: init continues on its copy of this thread's stack, as a
    // direct clone would, where the sanitizers can follow it. Only system
    // calls run in the spawning child, and it never returns from here.
    const pid_t spawner = ::vfork();  // NOLINT(clang-analyzer-security.insecureAPI.vfork): see above
    if (spawner == 0) {
        // NOLINTBEGIN(clang-analyzer-unix.Vfork): system calls only, then _exit
        StepStatus status;
        if (::setns(pidfd, kHolderNamespaces) != 0) {
            status = {1, errno, 0};
        } else if (::unshare(CLONE_NEWPID) != 0) {
            status = {2, errno, 0};
        } else {
            const long pid = ::syscall(SYS_clone, CLONE_PARENT, nullptr, nullptr, nullptr, 0);
            if (pid == 0) init_main(arg);
            status = pid < 0 ? StepStatus{3, errno, 0} : StepStatus{0, 0, pid};
        }
        send_status(write_fd, status);
        _exit(0);
        // NOLINTEND(clang-analyzer-unix.Vfork)
    }
    if (spawner < 0) return sys_error("early namespaces: vfork");
    while (::waitpid(spawner, nullptr, 0) < 0 && errno == EINTR) {
    }
    report_write.reset();
    auto status = read_status(report_read.get());
    if (!status) return status.error();
    if (status->step != 0 || status->pid <= 0) {
        return make_error(std::string("early namespaces: ") + spawn_step_name(status->step) +
                          (status->err != 0 ? std::string(": ") + std::strerror(status->err) : ""));
    }
    // Init holds the namespaces now: the holder may go.
    hold_.reset();
    return static_cast<pid_t>(status->pid);
}

void EarlyNamespaces::close_in_init() {
    pidfd_.reset();
    hold_.reset();
    ready_.reset();
}

}  // namespace mxc::lnx
