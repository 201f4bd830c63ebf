#include "platform/linux/apply/command_standby.hpp"

#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <new>
#include <span>

#include "platform/linux/apply/capabilities.hpp"
#include "platform/linux/apply/cpu_affinity.hpp"
#include "platform/linux/apply/raw_syscall.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"

namespace mxc::lnx {

// What the child reads and writes, at the bottom of the mapping whose top
// is its stack.
struct CommandStandby::Block {
    const SandboxSpec* spec = nullptr;
    int signal_fd = -1;
    int pids_tasks_fd = -1;  // set by release(): the v1 pids leaf's `tasks`, or -1
    sock_fprog filter{};
    PreloadedSteps preload;  // written by the child before it waits for kGo
    // futex: kIdle until arm() filled the fields above, kGo from release().
    std::uint32_t stage = 0;
    // arm() moves the child off init's CPU to load its filter; once let go
    // it takes back init's CPUs.
    bool restore_affinity = false;
    cpu_set_t affinity{};
    // The child's tid: the kernel writes it at clone (CLONE_PARENT_SETTID)
    // and clears it, waking init, once the child has execve'd or exited
    // (CLONE_CHILD_CLEARTID): what CLONE_VFORK did, but at a time of init's
    // choosing.
    pid_t tid = 0;
};

namespace {

constexpr std::size_t kStackSize = 1 << 20;
constexpr std::uint32_t kArmed = 1;
constexpr std::uint32_t kGo = 2;

// Sanitizer runtimes keep per-thread state the child would share with init.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kStandbyBuild = false;
#else
constexpr bool kStandbyBuild = kRawSyscalls;
#endif

long futex(void* word, int op, std::uint32_t value) {
    return raw(SYS_futex, reinterpret_cast<long>(word), op, static_cast<long>(value), 0);
}

MXC_ON_CLONE_STACK void wait_for_stage(std::uint32_t& stage, std::uint32_t at_least) {
    for (std::uint32_t now; (now = __atomic_load_n(&stage, __ATOMIC_ACQUIRE)) < at_least;)
        futex(&stage, FUTEX_WAIT, now);
}

void set_stage(std::uint32_t& stage, std::uint32_t to) {
    __atomic_store_n(&stage, to, __ATOMIC_RELEASE);
    futex(&stage, FUTEX_WAKE, 1);
}

// Until the child has execve'd or exited (the kernel clears `tid`). Not
// FUTEX_PRIVATE: the kernel's wake at execve/exit is a shared one.
void wait_until_past_execve(pid_t& tid) {
    for (pid_t t; (t = __atomic_load_n(&tid, __ATOMIC_ACQUIRE)) != 0;)
        futex(&tid, FUTEX_WAIT, static_cast<std::uint32_t>(t));
}

MXC_ON_CLONE_STACK int standby_main(void* arg) {
    auto& b = *static_cast<CommandStandby::Block*>(arg);
    // Raw system calls only until init lets go: it is building the mount
    // tree on the same memory meanwhile.
    wait_for_stage(b.stage, kArmed);
    long rc = empty_bounding_set();
    if (rc < 0) {
        b.preload.failed_step = "PR_CAPBSET_DROP";
    } else if (rc = raw(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); rc == 0) {
        // TSYNC as in apply_seccomp: the child is a thread group of one.
        rc = raw(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
                 reinterpret_cast<long>(&b.filter));
        if (rc > 0) rc = -EBUSY;  // a thread left unsynchronised: there is none
        b.preload.failed_step = rc == 0 ? nullptr : "seccomp: loading the filter";
    } else {
        b.preload.failed_step = "PR_SET_NO_NEW_PRIVS";
    }
    b.preload.result = rc;
    wait_for_stage(b.stage, kGo);
    // Into the v1 pids leaf before anything else (release()). A failed
    // preload step above has already stopped the command either way.
    if (b.pids_tasks_fd >= 0 && b.preload.failed_step == nullptr) {
        rc = raw(SYS_write, b.pids_tasks_fd, reinterpret_cast<long>("0"), 1);
        if (rc != 1) {
            b.preload.result = rc < 0 ? rc : -EIO;
            b.preload.failed_step = "limits.processes: moving the command's child into the pids cgroup (v1)";
        }
    }

    // Init waits in release() from here on, as a vfork parent would: libc
    // and the heap are the child's to use. First its own descriptor table
    // and root, so that what it closes and its working directory are its own.
    if (::unshare(CLONE_FILES | CLONE_FS) != 0) {
        b.preload.result = -errno;
        b.preload.failed_step = "unshare(CLONE_FILES|CLONE_FS) in the command's child";
        exec_command(*b.spec, &b.preload);  // reports it and exits
    }
    if (b.restore_affinity && ::sched_setaffinity(0, sizeof b.affinity, &b.affinity) != 0) {
        b.preload.result = -errno;
        b.preload.failed_step = "sched_setaffinity (the caller's CPUs) in the command's child";
    }
    ::close(b.signal_fd);
    ::close(b.spec->alive_fd);
    if (b.pids_tasks_fd >= 0) ::close(b.pids_tasks_fd);
    exec_command(*b.spec, &b.preload);
}

// Init builds the mount tree next, on its own CPU: the child loads its
// filter (0.3 ms, most of it the kernel's BPF JIT) on another one, where
// the supervisor has finished its front end and waits, instead of taking
// turns with init. It takes back init's CPUs once let go (standby_main).
void push_off_this_cpu(CommandStandby::Block& b, pid_t child) {
    const auto cpus = other_cpus();
    if (!cpus) return;
    b.affinity = cpus->allowed;
    b.restore_affinity = ::sched_setaffinity(child, sizeof cpus->elsewhere, &cpus->elsewhere) == 0;
}

}  // namespace

bool CommandStandby::buildable() {
    return kStandbyBuild;
}

bool CommandStandby::usable(const SandboxSpec& spec) {
    return kStandbyBuild && spec.seccomp != nullptr && !spec.plan->learning;
}

Status CommandStandby::arm(const SandboxSpec& spec, int signal_fd) {
    const auto prog = as_sock_fprog(spec.seccomp->code());
    if (!prog) return make_error("seccomp: the command's filter is empty or too long");
    block_->spec = &spec;
    block_->signal_fd = signal_fd;
    block_->filter = *prog;
    push_off_this_cpu(*block_, pid_);
    set_stage(block_->stage, kArmed);
    return {};
}

Result<CommandStandby> CommandStandby::start_idle() {
    void* mapping =
        ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED) return make_error("mmap of the command's spawn stack failed");
    auto* block = new (mapping) Block;
    constexpr int kFlags =
        CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
    const pid_t pid = ::clone(standby_main, static_cast<char*>(mapping) + kStackSize, kFlags, block,
                              &block->tid, nullptr, &block->tid);
    if (pid < 0) {
        ::munmap(mapping, kStackSize);
        return make_error("clone of the command failed");
    }
    return CommandStandby(mapping, block, pid);
}

CommandStandby::CommandStandby(CommandStandby&& other) noexcept
    : mapping_(other.mapping_), block_(other.block_), pid_(other.pid_) {
    other.mapping_ = nullptr;
    other.block_ = nullptr;
}

void CommandStandby::release(int pids_tasks_fd) {
    if (block_ == nullptr) return;
    block_->pids_tasks_fd = pids_tasks_fd;
    set_stage(block_->stage, kGo);
    wait_until_past_execve(block_->tid);
    // The mapping stays until init exits: unmapping memory another CPU ran
    // on costs a TLB flush there, where the command is starting now.
    mapping_ = nullptr;
    block_ = nullptr;
}

CommandStandby::~CommandStandby() {
    if (block_ == nullptr) return;
    // Never let go: its stack goes away with this, so it goes first.
    ::kill(pid_, SIGKILL);
    wait_until_past_execve(block_->tid);
    ::munmap(mapping_, kStackSize);
}

}  // namespace mxc::lnx
