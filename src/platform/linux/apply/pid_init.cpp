// pid 1 of the sandbox. It finishes the namespace setup that must happen
// inside (id maps, loopback, the mount tree, fresh /proc needs to be pid 1's
// namespace), forks the command, then only relays signals and reaps.
//
// Lifetime: PR_SET_PDEATHSIG kills init when the supervisor dies (even by
// SIGKILL) and the kernel kills every process of a pid namespace when its
// init exits, so nothing can outlive mxc. The "alive" pipe closes the race
// where the supervisor dies before the prctl.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/exit_codes.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/command_standby.hpp"
#include "platform/linux/apply/fd_passing.hpp"
#include "platform/linux/apply/init_orders.hpp"
#include "platform/linux/apply/learn_view.hpp"
#include "platform/linux/apply/mounts.hpp"
#include "platform/linux/apply/net_ns.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {
namespace {

[[noreturn]] void fail(const SandboxSpec& spec, const Status& st) {
    send_report(spec.report_fd, ReportTag::SetupError, st.error().message);
    _exit(exit_code::kMxcFailure);
}

struct CommandArgs {
    const SandboxSpec* spec;
    int signal_fd;
};

MXC_ON_CLONE_STACK int command_main(void* raw) {
    auto* args = static_cast<CommandArgs*>(raw);
    ::close(args->signal_fd);
    ::close(args->spec->alive_fd);
    exec_command(*args->spec);
}

// Learning: what the run wrote to the throwaway layers (docs/design.md
// "Learning sandbox"), one report each, before the namespace and its layers
// are gone.
void report_layer_writes(const SandboxSpec& spec, const LearnLayers& layers) {
    constexpr std::size_t kCap = 100000;
    constexpr std::size_t kLongest = 3000;  // one report stays below PIPE_BUF
    const bool complete = list_layer_writes(layers, kCap, [&](const std::string& path) {
        if (path.size() <= kLongest) send_report(spec.report_fd, ReportTag::LayerWrite, path);
    });
    if (!complete)
        send_report(
            spec.report_fd, ReportTag::Warning,
            "learning: more than " + std::to_string(kCap) + " paths in the throwaway layer; list cut");
}

// The broker's filter the supervisor resolved before clone: init only loads it.
Result<UniqueFd> install_broker(const SandboxSpec& spec) {
    if (spec.broker == nullptr)
        return make_error("connect broker: the supervisor prepared no seccomp filter");
    return install_broker_filter(spec.broker->code());
}

// The kernel would kill and reap every other process of the namespace when
// init exits; doing it here first lets init tell the supervisor that the
// sandbox is over before its own exit tears the namespaces down (half a
// millisecond the supervisor no longer waits for: docs/design.md,
// "Supervisor"). kill(-1) is atomic against fork (a process created after it
// had a parent with SIGKILL pending, which fails the fork), and orphans are
// re-parented to init, so once no child is left the namespace holds init
// alone. __WALL: also children whose exit signal is not SIGCHLD.
void empty_namespace(int pids_leave_fd) {
    ::kill(-1, SIGKILL);
    int status = 0;
    while (::waitpid(-1, &status, __WALL) > 0 || errno == EINTR) {
    }
    // Out of the per-run v1 pids leaf, so the supervisor can remove it now.
    // A failed move only delays that (its rmdir retries while init exits).
    if (pids_leave_fd >= 0) {
        [[maybe_unused]] auto moved = ::write(pids_leave_fd, "0", 1);
    }
}

// cgroup v1 pids limit: init moves itself into the leaf before it creates
// any process (pids_cgroup.hpp, open_tasks). A failed move never runs the
// command outside the limit. The caller closes `tasks_fd`: a command
// standby, cloned before the go-ahead brought the leaf, moves itself
// through it too once let go (CommandStandby::release).
void enter_pids_leaf(const SandboxSpec& spec, int tasks_fd, StepClock& steps) {
    if (::write(tasks_fd, "0", 1) != 1)
        fail(spec, sys_error("limits.processes: moving sandbox init into the pids cgroup (v1)"));
    steps.done("limits: moved into the pids cgroup (v1)");
}

// The command's child, armed with the plan's filter (command_standby.hpp):
// the one an early init cloned before its orders, else a new one; none
// when the plan cannot use one (an early init's is then ended, by its
// destructor).
std::optional<CommandStandby> armed_standby(const SandboxSpec& spec, int signal_fd) {
    std::optional<CommandStandby> standby;
    if (spec.idle_standby != nullptr) standby.emplace(std::move(*spec.idle_standby));
    if (!CommandStandby::usable(spec)) return std::nullopt;
    if (!standby) {
        auto started = CommandStandby::start_idle();
        if (!started) fail(spec, started.error());
        standby.emplace(std::move(started).value());
    }
    if (auto armed = standby->arm(spec, signal_fd); !armed) fail(spec, armed.error());
    return standby;
}

// Early init: the supervisor's go-ahead, with the v1 pids leaf's `tasks`
// and its parent's when the orders announced them. Exits if the supervisor
// stopped the run instead (closed the stream, or sent anything else).
std::vector<UniqueFd> receive_go_ahead(const SandboxSpec& spec) {
    char go = 0;
    auto got = receive_with_fds(spec.go_fd, std::as_writable_bytes(std::span(&go, 1)), 0, "the go-ahead");
    ::close(spec.go_fd);
    if (!got || got->bytes != 1 || got->truncated || go != kGoAhead) _exit(exit_code::kMxcFailure);
    if (got->fds.size() != spec.go_fds)
        fail(spec, make_error("the go-ahead: the pids cgroup descriptors did not arrive"));
    return std::move(got->fds);
}

// What the supervisor used to read from wait4(init): init's own usage plus
// that of everything it reaped (all of the sandbox, once it is empty).
void report_usage(const SandboxSpec& spec) {
    rusage self{};
    rusage children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    auto ms = [](const timeval& tv) {
        return static_cast<unsigned long long>(tv.tv_sec) * 1000 +
               static_cast<unsigned long long>(tv.tv_usec) / 1000;
    };
    const unsigned long long cpu =
        ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
    const long rss = self.ru_maxrss > children.ru_maxrss ? self.ru_maxrss : children.ru_maxrss;
    send_report(spec.report_fd, ReportTag::Usage, std::to_string(cpu) + " " + std::to_string(rss));
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return exit_code::kMxcFailure;
}

}  // namespace

bool supervisor_gone(int alive_fd) {
    pollfd p{alive_fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

sigset_t init_signal_set() {
    sigset_t handled;
    sigemptyset(&handled);
    for (int sig : kRelayedSignals) sigaddset(&handled, sig);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, terminate_tree_signal());
    return handled;
}

[[noreturn]] void sandbox_init_main(const SandboxSpec& spec) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (supervisor_gone(spec.alive_fd)) _exit(exit_code::kMxcFailure);
    const LinuxPlan& plan = *spec.plan;
    StepClock steps(spec.report_steps, spec.report_fd);

    // Into the v1 pids leaf before anything else, and long before the
    // first fork; an early init gets the leaf with its go-ahead.
    if (spec.pids_tasks_fd >= 0) {
        enter_pids_leaf(spec, spec.pids_tasks_fd, steps);
        ::close(spec.pids_tasks_fd);
    }
    int pids_leave_fd = spec.pids_leave_fd;
    if (!spec.namespaces_ready) {
        if (auto st = map_own_ids(plan.uid, plan.gid); !st) fail(spec, st);
        steps.done("user namespace: uid/gid maps");
        // init is a copy of mxc: its /proc/1/environ still holds the
        // caller's whole environment (tokens the [env] rules filtered out)
        // and its memory the plan. Non-dumpable makes /proc/1/{environ,mem,...}
        // unreadable to the command even though it runs as the same uid.
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    // A copy of the broker's seccomp listener, open until init exits. The
    // last reference to that file frees the sandbox's filter, and the BPF
    // image's deferred free then runs as a kworker on the CPU that dropped
    // it, ahead of whatever ran there (0.2-0.3 ms measured): with this copy
    // that is init's own exit, not the supervisor finishing the run.
    UniqueFd held_listener;
    if (plan.new_net) {
        if (!spec.namespaces_ready) {
            if (auto st = bring_up_loopback(); !st) fail(spec, st);
            steps.done("network namespace: loopback up");
        }
        // Before the mount tree and long before the command exists: the
        // supervisor waits for these fds, and the command must find the
        // ports (the proxy's, 53 for DNS) already taken (it cannot bind them
        // and impersonate the supervisor).
        UniqueFd channel(spec.sockets_fd);
        SandboxSockets sockets;
        if (spec.ready_sockets != nullptr) {
            // An early init opened them, and loaded the broker's filter,
            // before its orders (early_init.cpp): only an unplanned proxy
            // listener goes.
            sockets = std::move(*spec.ready_sockets);
            if (!plan.proxy) sockets.proxy_listener.reset();
        } else {
            std::optional<std::uint16_t> proxy_port;
            if (plan.proxy) proxy_port = plan.proxy->port;
            auto opened = open_sandbox_sockets(proxy_port);
            if (!opened) fail(spec, opened.error());
            sockets = std::move(opened).value();
            if (plan.broker || plan.learning) {
                // Before the command exists, so every process of the sandbox
                // is brokered; the listener goes to the supervisor with the
                // rest. After the sockets: the filter traps listen().
                auto listener = install_broker(spec);
                if (!listener) fail(spec, listener.error());
                sockets.connect_notify = std::move(listener).value();
            }
        }
        if (sockets.connect_notify.valid())
            held_listener.reset(::fcntl(sockets.connect_notify.get(), F_DUPFD_CLOEXEC, 3));
        if (auto st = send_sandbox_sockets(channel.get(), std::move(sockets)); !st) fail(spec, st);
        steps.done("network namespace: proxy, DNS and broker sockets handed to the supervisor");
    }
    if (!plan.new_net && plan.learning) {
        // Learning with the host's network: only the path calls' listener.
        UniqueFd channel(spec.sockets_fd);
        auto listener = install_broker(spec);
        if (!listener) fail(spec, listener.error());
        SandboxSockets sockets;
        sockets.connect_notify = std::move(listener).value();
        if (auto st = send_sandbox_sockets(channel.get(), std::move(sockets)); !st) fail(spec, st);
        steps.done("learning: seccomp listener handed to the supervisor");
    }
    const sigset_t handled = init_signal_set();
    ::sigprocmask(SIG_BLOCK, &handled, nullptr);
    int sfd = ::signalfd(-1, &handled, SFD_CLOEXEC);
    if (sfd < 0) fail(spec, make_error("signalfd in sandbox init failed"));
    // The command's child loads its seccomp filter while the tree is built.
    std::optional<CommandStandby> standby = armed_standby(spec, sfd);

    LearnLayers layers;
    if (auto st = build_sandbox_root(plan.mounts, plan.learning ? &*plan.learning : nullptr, &layers,
                                     spec.premounted);
        !st)
        fail(spec, st);
    for (const auto& note : layers.notes)
        send_report(spec.report_fd, ReportTag::Warning, "learning view: " + note);
    steps.done("mount namespace: sandbox root, /proc, /dev, /tmp");

    // An early init's supervisor took the integrity guards' snapshot while
    // the mount tree was built: the command waits for it.
    UniqueFd pids_tasks;
    if (spec.go_fd >= 0) {
        auto pids = receive_go_ahead(spec);
        if (pids.size() == 2) {
            pids_tasks = std::move(pids[0]);
            enter_pids_leaf(spec, pids_tasks.get(), steps);
            pids_leave_fd = pids[1].release();
        }
    }

    // posix_spawn-style CLONE_VM|CLONE_VFORK: the command child borrows
    // init's memory until execve instead of copying mxc's whole address space
    // (page tables plus copy-on-write faults were the largest avoidable
    // startup cost). Init is suspended meanwhile, so nothing races on the
    // shared heap; the child only changes per-task state (creds, rlimits, fd
    // table copy, seccomp) before it execs or _exits.
    pid_t command = -1;
    if (standby) {
        command = standby->pid();
        standby->release(pids_tasks.get());
    } else {
        CommandArgs args{&spec, sfd};
        constexpr std::size_t kStack = 1 << 20;
        void* stack =
            ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) fail(spec, make_error("mmap of the command's spawn stack failed"));
        command = ::clone(command_main, static_cast<char*>(stack) + kStack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                          &args);
        ::munmap(stack, kStack);
        if (command < 0) fail(spec, make_error("clone of the command failed"));
    }

    for (;;) {
        pollfd fds[2] = {{sfd, POLLIN, 0}, {spec.alive_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            _exit(exit_code::kMxcFailure);
        }
        if (fds[1].revents != 0) {
            ::kill(-1, SIGKILL);
            _exit(137);
        }
        if (fds[0].revents == 0) continue;
        signalfd_siginfo si{};
        if (::read(sfd, &si, sizeof si) != static_cast<ssize_t>(sizeof si)) continue;
        const int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) {
            int status = 0;
            pid_t pid;
            while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid == command) {
                    // Leftover processes (daemons, background jobs) are
                    // killed now, as they would be by init's exit.
                    empty_namespace(pids_leave_fd);
                    if (plan.learning) report_layer_writes(spec, layers);
                    report_usage(spec);
                    send_report(spec.report_fd, ReportTag::WaitStatus, std::to_string(status));
                    _exit(exit_code_of(status));
                }
            }
            continue;
        }
        // Only the supervisor (outside the namespace: sender pid 0) may drive
        // init. Signals generated by the terminal (SI_KERNEL) were already
        // delivered to the foreground process group, command included.
        if (si.ssi_pid != 0 || si.ssi_code == SI_KERNEL) continue;
        if (sig == terminate_tree_signal()) {
            ::kill(-1, SIGTERM);
        } else {
            ::kill(command, sig);
        }
    }
}

}  // namespace mxc::lnx
