// The supervisor stays in the host namespaces for the whole run. It never
// touches the terminal (the command owns fds 0/1/2 directly, no pipes) and
// keeps SIGTSTP/SIGTTIN/SIGTTOU at their defaults, so job control of the
// caller's shell treats mxc + sandbox as one ordinary job.
#include "platform/linux/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "common/unique_fd.hpp"
#include "net/dns_stub_linux.hpp"
#include "net/name_memory.hpp"
#include "platform/linux/cgroup.hpp"
#include "platform/linux/child_report.hpp"
#include "platform/linux/connect_broker.hpp"
#include "platform/linux/learn_tracer.hpp"
#include "platform/linux/memory_watch.hpp"
#include "platform/linux/pids_cgroup.hpp"
#include "platform/linux/sandbox_sockets.hpp"
#include "platform/linux/sandbox_spec.hpp"
#include "platform/linux/setup_log.hpp"
#include "platform/linux/sys_error.hpp"

namespace mxc::lnx {
namespace {

// Kernel struct clone_args (v2, with cgroup).
struct CloneArgs {
    std::uint64_t flags;
    std::uint64_t pidfd;
    std::uint64_t child_tid;
    std::uint64_t parent_tid;
    std::uint64_t exit_signal;
    std::uint64_t stack;
    std::uint64_t stack_size;
    std::uint64_t tls;
    std::uint64_t set_tid;
    std::uint64_t set_tid_size;
    std::uint64_t cgroup;
};
constexpr std::uint64_t kCloneIntoCgroup = 0x200000000ULL;

// fork()-like clone into new namespaces: the child continues on a copy of
// our stack. Safe because mxc is single-threaded here.
pid_t clone_sandbox(std::uint64_t flags, int cgroup_fd) {
    CloneArgs args{};
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= kCloneIntoCgroup;
        args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
    }
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
        pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0);
    }
    return static_cast<pid_t>(pid);
}

std::string find_path(const std::vector<std::string>& env) {
    for (const auto& e : env) {
        if (e.rfind("PATH=", 0) == 0) return e.substr(5);
    }
    return "/usr/local/bin:/usr/bin:/bin";  // glibc's confstr(_CS_PATH) plus /usr/local/bin
}

Status arm(int tfd, std::chrono::milliseconds after) {
    itimerspec its{};
    const auto ms = after.count() <= 0 ? 1 : after.count();
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000;
    if (::timerfd_settime(tfd, 0, &its, nullptr) != 0) return sys_error("timerfd_settime");
    return {};
}

void drain(int fd, std::string& into) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            into.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return;
    }
}

// Restores the caller's signal mask however run_sandbox returns.
struct MaskGuard {
    sigset_t saved;
    ~MaskGuard() { ::sigprocmask(SIG_SETMASK, &saved, nullptr); }
};

// A caller that ignores SIGCHLD would make the kernel reap our child behind
// our back (wait4 -> ECHILD, and no SIGCHLD ever): force the default while
// supervising and restore it afterwards.
struct SigchldGuard {
    struct sigaction saved {};
    bool was_ignored = false;
    SigchldGuard() {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGCHLD, &dfl, &saved);
        was_ignored = saved.sa_handler == SIG_IGN;
    }
    ~SigchldGuard() { ::sigaction(SIGCHLD, &saved, nullptr); }
    SigchldGuard(const SigchldGuard&) = delete;
    SigchldGuard& operator=(const SigchldGuard&) = delete;
};

// --die-with-parent: the kernel sends this to mxc when the thread that
// started it exits (PR_SET_PDEATHSIG). Real-time, so it is none of the
// signals relayed for the user, and not terminate_tree_signal().
int parent_death_signal() {
    return SIGRTMIN + 1;
}

// Arms PR_SET_PDEATHSIG for the supervisor while it runs a sandbox, and
// disarms it (dropping a signal that arrived too late to matter) before the
// caller's signal mask is restored, so a parent dying as mxc finishes
// cannot kill mxc before it has written the exit event.
class ParentDeathWatch {
public:
    explicit ParentDeathWatch(long parent) : armed_(parent > 0) {
        if (armed_) armed_ = ::prctl(PR_SET_PDEATHSIG, parent_death_signal(), 0, 0, 0) == 0;
    }
    ~ParentDeathWatch() {
        if (!armed_) return;
        ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, parent_death_signal());
        const timespec none{0, 0};
        while (::sigtimedwait(&set, nullptr, &none) > 0) {
        }
    }
    ParentDeathWatch(const ParentDeathWatch&) = delete;
    ParentDeathWatch& operator=(const ParentDeathWatch&) = delete;
    [[nodiscard]] bool armed() const { return armed_; }

private:
    bool armed_;
};

// The signal only says that the thread which forked mxc exited; the process
// that started mxc is gone when mxc has been re-parented (to init or a
// subreaper). Comparing with the pid read at startup also covers a parent
// that died before the prctl.
bool parent_died(long parent) {
    return parent > 0 && static_cast<long>(::getppid()) != parent;
}

// Serves the proxy on init's listener. Runs after clone: clone_sandbox
// relies on mxc being single-threaded, and the proxy's threads must inherit
// the blocked signal mask so relayed signals and SIGCHLD still reach only the
// signalfd. Returns "" or the error.
std::string start_proxy(const ProxyPlan& plan, UniqueFd listener, net::Matcher matcher,
                        net::EgressProxy::NetCallback on_net, std::unique_ptr<net::EgressProxy>& proxy) {
    if (!listener.valid()) return "egress proxy: the sandbox sent no listener";
    net::EgressProxyOptions options;
    options.profile_name = plan.profile_name;
    auto callback = [on_net = std::move(on_net)](const audit::NetEvent& e) {
        if (on_net) on_net(e);
    };
    auto created = net::EgressProxy::create(listener.release(), std::move(matcher), callback, options);
    if (!created) return "egress proxy: " + created.error().message;
    proxy = std::move(created).value();
    if (auto st = proxy->start(); !st) return "egress proxy: start: " + st.error().message;
    return {};
}

// Serves the broker on the seccomp listener and the unix diag socket init
// sent. Like start_proxy,
// after clone. Returns "" or the error.
std::string start_broker(const BrokerPlan& plan, SandboxSockets& sockets, std::optional<net::Matcher> matcher,
                         std::shared_ptr<const net::NameMemory> names, ConnectBroker::NetCallback on_net,
                         LearnTracer* tracer, std::unique_ptr<ConnectBroker>& broker) {
    if (!sockets.connect_notify.valid() || !sockets.unix_diag.valid())
        return "connect broker: the sandbox sent no seccomp listener";
    ConnectBrokerOptions options;
    if (tracer != nullptr) {
        options.other_calls = [tracer](int fd, const seccomp_notif& req) { tracer->handle(fd, req); };
    }
    auto created =
        ConnectBroker::create(std::move(sockets.connect_notify), std::move(sockets.unix_diag), plan,
                              std::move(matcher), std::move(names), std::move(on_net), std::move(options));
    if (!created) return created.error().message;
    broker = std::move(created).value();
    if (auto st = broker->start(); !st) return "connect broker: start: " + st.error().message;
    return {};
}

// Serves the DNS stub on init's two sockets (same threading constraints as
// start_proxy). No matcher (network = "none"): every name is refused.
std::string start_dns(SandboxSockets& sockets, std::optional<net::Matcher> matcher,
                      std::shared_ptr<net::NameMemory> names, const std::string& profile_name,
                      net::EgressProxy::NetCallback on_net, bool learning,
                      std::unique_ptr<net::DnsStub>& stub) {
    if (!sockets.dns_udp.valid() || !sockets.dns_tcp.valid()) return "DNS stub: the sandbox sent no sockets";
    net::DnsStubOptions options;
    options.profile_name = profile_name;
    options.report_allowed = learning;
    auto callback = [on_net = std::move(on_net)](const audit::NetEvent& e) {
        if (on_net) on_net(e);
    };
    auto created = net::DnsStub::create(sockets.dns_udp.release(), sockets.dns_tcp.release(),
                                        std::move(matcher), std::move(names), callback, options);
    if (!created) return created.error().message;
    stub = std::move(created).value();
    if (auto st = stub->start(); !st) return "DNS stub: start: " + st.error().message;
    return {};
}

// --allow-net-learning (issue 13): every name and address, except the host's
// loopback and link-local addresses (its own services and cloud metadata).
// Built here, never parsed: no profile can say it (an empty "*." suffix is
// refused by the rule parser).
net::Matcher learning_matcher() {
    std::vector<net::HostRule> allow;
    net::HostRule names;
    names.kind = net::HostRule::Kind::Wildcard;
    names.ports.any = true;
    names.text = "(--allow-net-learning: every name)";
    allow.push_back(names);
    std::vector<net::HostRule> deny;
    for (const char* cidr : {"0.0.0.0/0:*", "[::]/0:*"}) {
        if (auto r = net::parse_host_rule(cidr)) allow.push_back(*r);
    }
    for (const char* cidr :
         {"127.0.0.0/8:*", "[::1]:*", "169.254.0.0/16:*", "[fe80::]/10:*", "0.0.0.0/32:*", "[::]:*"}) {
        if (auto r = net::parse_host_rule(cidr)) deny.push_back(*r);
    }
    return net::Matcher(std::move(allow), std::move(deny));
}

}  // namespace

RunOutcome run_sandbox(const LinuxPlan& plan, const SeccompPlan& seccomp,
                       const std::vector<std::string>& argv, net::EgressProxy::NetCallback on_net,
                       LearnTracer* tracer) {
    RunOutcome out;
    const auto started = std::chrono::steady_clock::now();
    const bool verbose = log::verbose();

    // Every start clears the empty per-run cgroups of SIGKILLed mxc runs.
    remove_stale_cgroups(observe_cgroupfs());
    std::optional<CgroupLeaf> cgroup;
    if (plan.cgroup) {
        StepTimer timer(verbose, "limits: cgroup v2 leaf");
        auto leaf = CgroupLeaf::create(*plan.cgroup);
        if (!leaf) {
            out.error = std::string(plan.cgroup->memory_max != 0 ? "limits.memory" : "limits.processes") +
                        ": cgroup setup failed: " + leaf.error().message;
            return out;
        }
        cgroup.emplace(std::move(*leaf));
    }
    // cgroup v1 has no CLONE_INTO_CGROUP: init waits on the start pipe until
    // we have moved it into the pids leaf, so nothing it forks escapes the limit.
    std::optional<PidsV1Leaf> pids_v1;
    UniqueFd start_read, start_write;
    if (plan.pids_v1) {
        StepTimer timer(verbose, "limits: pids cgroup (v1) leaf");
        auto leaf = PidsV1Leaf::create(*plan.pids_v1);
        if (!leaf) {
            out.error = "limits.processes: pids cgroup setup failed: " + leaf.error().message;
            return out;
        }
        pids_v1.emplace(std::move(*leaf));
        int start[2];
        if (::pipe2(start, O_CLOEXEC) != 0) {
            out.error = std::string("pipe2: ") + std::strerror(errno);
            return out;
        }
        start_read.reset(start[0]);
        start_write.reset(start[1]);
    }

    std::vector<std::string> args = argv;
    std::vector<std::string> env = plan.env;
    SandboxSpec spec;
    spec.plan = &plan;
    spec.seccomp = &seccomp;
    for (auto& a : args) spec.argv.push_back(a.data());
    spec.argv.push_back(nullptr);
    for (auto& e : env) spec.envp.push_back(e.data());
    spec.envp.push_back(nullptr);
    spec.path_env = find_path(plan.env);
    spec.report_steps = verbose;

    int report[2];
    int alive[2];
    if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(alive, O_CLOEXEC) != 0) {
        out.error = std::string("pipe2: ") + std::strerror(errno);
        return out;
    }
    UniqueFd report_read(report[0]), report_write(report[1]);
    UniqueFd alive_read(alive[0]), alive_write(alive[1]);

    // Allowlist: rules are parsed before anything is cloned so that a bad
    // rule fails the launch without a sandbox to tear down.
    std::optional<net::Matcher> matcher;
    if (plan.proxy && plan.learning && plan.learning->allow_everything) {
        matcher.emplace(learning_matcher());
    } else if (plan.proxy) {
        auto m = net::Matcher::from_strings(plan.proxy->allow, plan.proxy->deny);
        if (!m) {
            out.error = "network rules: " + m.error().message;
            return out;
        }
        matcher.emplace(std::move(m).value());
    }
    // Own network namespace: init hands over the proxy's and the DNS stub's
    // sockets (sandbox_sockets.hpp).
    SocketChannel channel;
    if (plan.new_net || plan.learning) {
        auto ch = make_socket_channel();
        if (!ch) {
            out.error = ch.error().message;
            return out;
        }
        channel = std::move(ch).value();
        spec.sockets_fd = channel.sandbox_end.get();
    }
    // Which addresses the DNS stub gave out for which name; the connect
    // broker reads it (name_memory.hpp).
    auto names = std::make_shared<net::NameMemory>();
    // Block the relayed signals before clone so none is lost or acted on
    // between now and the signalfd; the command gets the caller's mask back.
    sigset_t relayed;
    sigemptyset(&relayed);
    for (int sig : kRelayedSignals) sigaddset(&relayed, sig);
    sigaddset(&relayed, SIGCHLD);
    if (plan.parent_pid > 0) sigaddset(&relayed, parent_death_signal());
    SigchldGuard sigchld;
    // Blocked here only so init inherits it blocked: a wall_time expiring
    // during setup then stays pending for init's signalfd instead of being
    // dropped (pid 1 ignores default-action signals from outside).
    sigset_t blocked = relayed;
    sigaddset(&blocked, terminate_tree_signal());
    spec.caller_ignores_sigchld = sigchld.was_ignored;
    MaskGuard guard{};
    ::sigprocmask(SIG_BLOCK, &blocked, &guard.saved);
    spec.caller_mask = guard.saved;
    // After the mask (the signal must queue for the signalfd, not kill mxc)
    // and before clone (no sandbox may run unwatched).
    ParentDeathWatch parent_watch(plan.parent_pid);
    if (plan.parent_pid > 0 && !parent_watch.armed()) {
        out.error = std::string("--die-with-parent: prctl(PR_SET_PDEATHSIG): ") + std::strerror(errno);
        return out;
    }
    if (parent_died(plan.parent_pid)) {
        out.error = "--die-with-parent: the process that started mxc (pid " +
                    std::to_string(plan.parent_pid) + ") exited before the sandbox started; nothing was run";
        out.reason = "parent-died";
        return out;
    }
    spec.report_fd = report_write.get();
    spec.alive_fd = alive_read.get();
    spec.start_fd = start_read.get();

    std::uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;
    if (plan.new_net) flags |= CLONE_NEWNET;
    const long clone_start = verbose ? monotonic_usec() : 0;
    const pid_t child = clone_sandbox(flags, cgroup ? cgroup->dir_fd() : -1);
    if (child < 0) {
        out.error = std::string("clone into new namespaces: ") + std::strerror(errno);
        return out;
    }
    if (child == 0) {
        ::close(alive_write.release());
        ::close(report_read.release());
        start_write.reset();
        channel.supervisor_end.reset();
        sandbox_init_main(spec);
    }
    if (verbose) {
        log_step(plan.new_net ? "namespaces: clone (user, mount, pid, ipc, net)"
                              : "namespaces: clone (user, mount, pid, ipc)",
                 monotonic_usec() - clone_start);
    }
    report_write.reset();
    alive_read.reset();
    start_read.reset();
    if (pids_v1) {
        if (auto st = pids_v1->add(child); !st) {
            ::kill(child, SIGKILL);
            while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
            }
            out.error = "limits.processes: pids cgroup setup failed: " + st.error().message;
            return out;
        }
        if (::write(start_write.get(), "1", 1) != 1) {
            ::kill(child, SIGKILL);  // init sees EOF and exits; reaped below
        }
        start_write.reset();
    }
    // Init now holds the only sandbox end: its exit or its own close is what
    // ends a wait for the listener.
    channel.sandbox_end.reset();

    // Declared after MaskGuard so they are stopped (threads joined) first.
    std::unique_ptr<net::EgressProxy> proxy;
    std::unique_ptr<ConnectBroker> broker;
    std::unique_ptr<net::DnsStub> dns;
    std::string proxy_error;
    if (tracer != nullptr) tracer->set_init(child);
    if (!plan.new_net && plan.learning) {
        StepTimer timer(verbose, "learning: seccomp listener received");
        auto sockets = receive_sandbox_sockets(channel.supervisor_end.get());
        channel.supervisor_end.reset();
        if (!sockets || !sockets->connect_notify.valid() || tracer == nullptr) {
            proxy_error = "learning: the sandbox sent no seccomp listener" +
                          (sockets ? std::string() : ": " + sockets.error().message);
        } else if (auto st = tracer->start(std::move(sockets->connect_notify)); !st) {
            proxy_error = st.error().message;
        }
        if (!proxy_error.empty()) ::kill(child, SIGKILL);
    }
    if (plan.new_net && proxy_error.empty()) {
        StepTimer timer(verbose,
                        "network: broker, proxy and DNS stub started (waited for the sandbox's sockets)");
        auto sockets = receive_sandbox_sockets(channel.supervisor_end.get());
        channel.supervisor_end.reset();
        if (!sockets) {
            proxy_error = sockets.error().message;
        } else {
            std::optional<net::Matcher> dns_matcher = matcher;
            if (plan.broker) {
                // First: every connect() of the sandbox waits for it.
                proxy_error = start_broker(*plan.broker, *sockets, matcher, names, on_net, tracer, broker);
            }
            if (plan.proxy && proxy_error.empty()) {
                proxy_error = start_proxy(*plan.proxy, std::move(sockets->proxy_listener),
                                          std::move(*matcher), on_net, proxy);
            }
            if (proxy_error.empty()) {
                proxy_error = start_dns(*sockets, std::move(dns_matcher), names,
                                        plan.dns ? plan.dns->profile_name : std::string(), std::move(on_net),
                                        plan.learning.has_value(), dns);
            }
        }
        // Without the proxy or the stub there is nothing to run: the sandbox
        // would only see failures and the user would not know why.
        if (!proxy_error.empty()) ::kill(child, SIGKILL);
    }

    UniqueFd sfd(::signalfd(-1, &relayed, SFD_CLOEXEC | SFD_NONBLOCK));
    UniqueFd tfd;
    if (plan.wall_time) {
        tfd.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        if (tfd.valid()) (void)arm(tfd.get(), *plan.wall_time);
    }

    // limits.memory without a cgroup: a periodic check of the sandbox's total
    // resident memory (RLIMIT_DATA alone binds each process, not their sum).
    UniqueFd mfd;
    if (plan.memory_watch_bytes != 0) {
        mfd.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        if (!mfd.valid()) {
            ::kill(child, SIGKILL);
            out.error = std::string("limits.memory: timerfd_create: ") + std::strerror(errno);
        } else {
            itimerspec its{};
            const auto ms = plan.memory_watch_period.count();
            its.it_value.tv_sec = its.it_interval.tv_sec = ms / 1000;
            its.it_value.tv_nsec = its.it_interval.tv_nsec = (ms % 1000) * 1000000;
            if (::timerfd_settime(mfd.get(), 0, &its, nullptr) != 0) {
                ::kill(child, SIGKILL);
                out.error = std::string("limits.memory: timerfd_settime: ") + std::strerror(errno);
            }
        }
    }
    std::uint64_t memory_seen = 0;  // resident bytes when the limit was crossed

    bool timed_out = false;
    bool killed = false;
    bool orphaned = false;
    bool report_open = true;
    std::string report_bytes;
    std::size_t steps_logged = 0;
    // -v: the sandbox's steps as they are reported, before the command's
    // own output where possible.
    auto log_new_steps = [&] {
        if (!verbose) return;
        const auto steps = parse_reports(report_bytes).steps;
        for (; steps_logged < steps.size(); ++steps_logged) {
            log_step(steps[steps_logged].name, steps[steps_logged].usec);
        }
    };
    int status = 0;
    rusage ru{};
    for (;;) {
        pollfd fds[4] = {{sfd.get(), POLLIN, 0},
                         {tfd.get(), POLLIN, 0},
                         {report_open ? report_read.get() : -1, POLLIN, 0},
                         {memory_seen == 0 ? mfd.get() : -1, POLLIN, 0}};
        if (::poll(fds, 4, -1) < 0 && errno != EINTR) break;
        if (fds[3].revents != 0) {
            std::uint64_t ticks = 0;
            (void)::read(mfd.get(), &ticks, sizeof ticks);
            // A failed read (init already gone) is no evidence: skip the tick.
            auto rss = sandbox_resident_bytes(child);
            if (rss && *rss > plan.memory_watch_bytes) {
                memory_seen = *rss;
                // init's death takes the whole pid namespace with it.
                ::kill(child, SIGKILL);
            }
        }
        if (fds[2].revents != 0) {
            char buf[4096];
            ssize_t n = ::read(report_read.get(), buf, sizeof buf);
            if (n > 0) {
                report_bytes.append(buf, static_cast<size_t>(n));
                log_new_steps();
            } else if (n == 0 || errno != EINTR) {
                report_open = false;
            }
        }
        if (fds[1].revents != 0) {
            std::uint64_t ticks = 0;
            (void)::read(tfd.get(), &ticks, sizeof ticks);
            if (!timed_out) {
                timed_out = true;
                ::kill(child, terminate_tree_signal());
                (void)arm(tfd.get(), plan.kill_grace);
            } else if (!killed) {
                killed = true;
                // init's death takes the whole pid namespace with it.
                ::kill(child, SIGKILL);
            }
        }
        bool child_done = false;
        if (fds[0].revents != 0) {
            signalfd_siginfo si{};
            while (::read(sfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                const int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGCHLD) {
                    child_done = true;
                } else if (plan.parent_pid > 0 && sig == parent_death_signal()) {
                    // init's death takes the whole pid namespace with it.
                    if (!orphaned && parent_died(plan.parent_pid)) {
                        orphaned = true;
                        ::kill(child, SIGKILL);
                    }
                } else if (si.ssi_code != SI_KERNEL) {
                    // Sent with kill(2) to mxc: relay. Terminal-generated
                    // signals already reached the foreground group directly.
                    ::kill(child, sig);
                }
            }
        }
        if (child_done) {
            pid_t r = ::wait4(child, &status, WNOHANG, &ru);
            if (r == child) break;
        }
    }
    if (proxy) proxy->stop();  // emits the audit events of connections still open
    if (broker) broker->stop();
    if (dns) dns->stop();
    if (tracer != nullptr) tracer->stop();
    // Everything that could write here is gone (init exited, the command's
    // copy closed on execve); non-blocking all the same, so a stray writer
    // can never hang mxc.
    ::fcntl(report_read.get(), F_SETFL, O_NONBLOCK);
    drain(report_read.get(), report_bytes);
    log_new_steps();
    const auto reports = parse_reports(report_bytes);

    const auto wall = std::chrono::steady_clock::now() - started;
    out.wall_ms =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(wall).count());
    out.cpu_ms = static_cast<std::uint64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                 static_cast<std::uint64_t>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    out.max_rss_kb = static_cast<std::uint64_t>(ru.ru_maxrss);
    out.warnings = reports.warnings;
    out.layer_writes = reports.layer_writes;

    if (reports.has_wait_status) {
        const int ws = reports.wait_status;
        if (WIFSIGNALED(ws)) {
            out.signal = WTERMSIG(ws);
            out.reason = "signaled";
            out.exit_code = 128 + out.signal;
        } else {
            out.status = WEXITSTATUS(ws);
            out.exit_code = out.status;
        }
    } else if (WIFEXITED(status)) {
        out.exit_code = WEXITSTATUS(status);
        out.status = out.exit_code;
    } else if (WIFSIGNALED(status)) {
        out.signal = WTERMSIG(status);
        out.reason = "signaled";
        out.exit_code = 128 + out.signal;
    }
    if (!reports.setup_error.empty()) {
        out.error = reports.setup_error;
        out.exit_code = 125;
    } else if (!proxy_error.empty()) {
        out.error = proxy_error;
        out.exit_code = 125;
        out.reason = "exited";
        out.signal = 0;
    } else if (reports.exec_errno != 0) {
        out.error =
            argv.empty() ? std::string("empty command") : argv[0] + ": " + std::strerror(reports.exec_errno);
        if (reports.exec_errno == ENOENT) out.error = argv[0] + ": command not found in the sandbox";
        out.exit_code = reports.exec_errno == ENOENT ? 127 : 126;
    }
    if (orphaned) {
        out.reason = "parent-died";
    } else if (timed_out) {
        out.reason = "timeout";
        out.exit_code = 124;
    } else if (memory_seen != 0) {
        out.reason = "limit";
        if (out.error.empty())
            out.error = "limits.memory: the sandbox's processes held " + std::to_string(memory_seen >> 20) +
                        " MiB resident, over the limit of " + std::to_string(plan.memory_watch_bytes >> 20) +
                        " MiB: stopped (raise it with --memory SIZE, or --memory unlimited)";
    } else if ((cgroup && cgroup->oom_kills() > 0) || out.signal == SIGXCPU || out.signal == SIGXFSZ) {
        out.reason = "limit";
    }
    return out;
}

}  // namespace mxc::lnx
