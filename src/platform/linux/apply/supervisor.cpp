// The supervisor stays in the host namespaces for the whole run. It never
// touches the terminal (the command owns fds 0/1/2 directly, no pipes) and
// keeps SIGTSTP/SIGTTIN/SIGTTOU at their defaults, so job control of the
// caller's shell treats mxc + sandbox as one ordinary job.
#include "platform/linux/apply/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include "common/exit_codes.hpp"
#include "common/unique_fd.hpp"
#include "net/dns_message_linux.hpp"
#include "net/dns_stub_linux.hpp"
#include "net/idna.hpp"
#include "net/name_memory.hpp"
#include "net/resolver_linux.hpp"
#include "platform/linux/apply/cgroup.hpp"
#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/connect_broker.hpp"
#include "platform/linux/apply/early_init.hpp"
#include "platform/linux/apply/learn_tracer.hpp"
#include "platform/linux/apply/memory_watch.hpp"
#include "platform/linux/apply/pids_cgroup.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/setup_log.hpp"
#include "platform/linux/apply/sigchld_guard.hpp"
#include "platform/linux/apply/sys_error.hpp"

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

}  // namespace

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

namespace {

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
// sent. Like start_proxy, after clone. Returns "" or the error.
std::string start_broker(const BrokerPlan& plan, SandboxSockets& sockets, std::optional<net::Matcher> matcher,
                         std::shared_ptr<const net::NameMemory> names, ConnectBroker::NetCallback on_net,
                         LearnTracer* tracer, std::unique_ptr<ConnectBroker>& broker) {
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

// A read of one of the wait loop's fds: true for a whole value, false when
// there was nothing to read; an error otherwise.
Result<bool> read_exactly(int fd, void* into, std::size_t size, const char* what) {
    const ssize_t n = ::read(fd, into, size);
    if (n == static_cast<ssize_t>(size)) return true;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (n < 0) return sys_error(what);
    return make_error(std::string(what) + ": short read");
}

// One run, in the order it happens: prepare (limits, pipes, rules, signals and the wait loop's fds, all
// before clone), start (clone), hand over (v1 pids leaf), serve (learning tracer, or receive the sockets of
// the broker, proxy and DNS stub, which the wait loop starts on first use), arm the timers, wait, collect,
// report. Every step before clone fails with nothing to tear down; after clone a failure kills init (its
// death takes the pid namespace) and the run ends in 125, "any failure of mxc itself" (docs/design.md, "CLI
// contract").
class Supervisor {
public:
    Supervisor(const LinuxPlan& plan, const SeccompPlan& seccomp, const std::vector<std::string>& argv,
               net::EgressProxy::NetCallback on_net, LearnTracer* tracer, EarlyInit* early,
               const BeforeCommand& before_command)
        : plan_(plan),
          seccomp_(seccomp),
          argv_(argv),
          on_net_(std::move(on_net)),
          tracer_(tracer),
          early_(early),
          before_command_(before_command) {}
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    RunOutcome run() {
        if (auto st = prepare(); !st) {
            // The audit log still gets its start event before the exit event.
            run_before_command();
            out_.error = st.error().message;
            return out_;
        }
        if (auto st = start(); !st) {
            out_.error = st.error().message;
            return out_;
        }
        hand_over();
        if (auto st = serve(); !st) fail_running(st);
        if (auto st = arm_timers(); !st) fail_running(st);
        if (auto st = wait(); !st) {
            // The loop cannot see init exit any more: stop it here.
            fail_running(st);
            reap();
        }
        collect();
        return report();
    }

private:
    Status prepare() {
        // An init cloned before the profile was loaded is used when it
        // fits the plan, else ended now, before anything else is set up.
        if (early_ != nullptr && !early_->fits(plan_)) {
            early_->abandon();
            early_ = nullptr;
        }
        MXC_TRY(prepare_spec());
        send_early_orders();
        MXC_TRY(prepare_limits());
        MXC_TRY(prepare_network());
        block_signals();
        MXC_TRY(open_wait_fds());
        return watch_parent();
    }

    // Every start clears the empty per-run cgroups of SIGKILLed mxc runs,
    // once, in the places the host facts found.
    Status prepare_limits() {
        for (const auto& dir : plan_.cgroup_sweep_dirs) remove_stale_leaves(dir);
        if (plan_.cgroup) {
            StepTimer timer(verbose_, "limits: cgroup v2 leaf");
            auto leaf = CgroupLeaf::create(*plan_.cgroup);
            if (!leaf) {
                return make_error(
                    std::string(plan_.cgroup->memory_max != 0 ? "limits.memory" : "limits.processes") +
                    ": cgroup setup failed: " + leaf.error().message);
            }
            cgroup_.emplace(std::move(*leaf));
        }
        // cgroup v1 has no CLONE_INTO_CGROUP: init moves itself into the
        // leaf through this fd before it creates any process, so nothing
        // it forks escapes the limit (pids_cgroup.hpp, open_tasks).
        if (plan_.pids_v1) {
            StepTimer timer(verbose_, "limits: pids cgroup (v1) leaf");
            auto leaf = PidsV1Leaf::create(*plan_.pids_v1);
            if (!leaf)
                return make_error("limits.processes: pids cgroup setup failed: " + leaf.error().message);
            pids_v1_.emplace(std::move(*leaf));
            auto tasks = pids_v1_->open_tasks();
            if (!tasks)
                return make_error("limits.processes: pids cgroup setup failed: " + tasks.error().message);
            pids_tasks_ = std::move(*tasks);
            auto leave = pids_v1_->open_parent_tasks();
            if (!leave)
                return make_error("limits.processes: pids cgroup setup failed: " + leave.error().message);
            pids_leave_ = std::move(*leave);
        }
        return {};
    }

    // Both seccomp filters as BPF, before clone: from the build-time table,
    // or compiled here for a plan that is not in it, so the sandbox only
    // loads bytes (seccomp_precompiled.hpp). The broker's filter goes in
    // exactly when init installs one (pid_init.cpp).
    Status prepare_seccomp() {
        const auto t0 = std::chrono::steady_clock::now();
        auto filter = seccomp_program(seccomp_);
        if (!filter) return filter.error();
        seccomp_bpf_ = std::move(*filter);
        spec_.seccomp = &seccomp_bpf_;
        bool precompiled = seccomp_bpf_.precompiled();
        const bool network = plan_.new_net && plan_.broker.has_value();
        const bool learning = plan_.learning.has_value();
        if (network || learning) {
            auto broker = broker_program(network, learning);
            if (!broker) return broker.error();
            broker_bpf_ = std::move(*broker);
            spec_.broker = &broker_bpf_;
            precompiled = precompiled && broker_bpf_.precompiled();
        }
        if (verbose_) {
            const auto d = std::chrono::steady_clock::now() - t0;
            log_step(precompiled ? "seccomp: filters precompiled at build time"
                                 : "seccomp: filters compiled by libseccomp (not in the build-time table)",
                     static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
        }
        return {};
    }

    // What init gets, built before clone so the child does as little as
    // possible (sandbox_spec.hpp), and the report and alive pipes.
    Status prepare_spec() {
        spec_.plan = &plan_;
        MXC_TRY(prepare_seccomp());
        for (auto& a : args_) spec_.argv.push_back(a.data());
        spec_.argv.push_back(nullptr);
        for (auto& e : env_) spec_.envp.push_back(e.data());
        spec_.envp.push_back(nullptr);
        spec_.path_env = find_path(plan_.env);
        spec_.report_steps = verbose_;
        if (early_ != nullptr) {
            report_read_ = early_->take_report();
            alive_write_ = early_->take_alive();
            return {};
        }
        int report[2];
        int alive[2];
        if (::pipe2(report, O_CLOEXEC) != 0) return sys_error("pipe2");
        report_read_.reset(report[0]);
        report_write_.reset(report[1]);
        if (::pipe2(alive, O_CLOEXEC) != 0) return sys_error("pipe2");
        alive_read_.reset(alive[0]);
        alive_write_.reset(alive[1]);
        return {};
    }

    Status prepare_network() {
        // Allowlist: the rules were parsed by the resolver (policy::HostRuleEntry).
        if (plan_.proxy && plan_.learning && plan_.learning->allow_everything) {
            matcher_.emplace(learning_matcher());
        } else if (plan_.proxy) {
            matcher_.emplace(plan_.proxy->allow, plan_.proxy->deny);
        }
        // Own network namespace: init hands over the proxy's and the DNS
        // stub's sockets (sandbox_sockets.hpp).
        if (early_ != nullptr) {
            channel_.supervisor_end = early_->take_channel();
        } else if (plan_.new_net || plan_.learning) {
            auto ch = make_socket_channel();
            if (!ch) return ch.error();
            channel_ = std::move(ch).value();
            spec_.sockets_fd = channel_.sandbox_end.get();
        }
        preload_network_libraries();
        return {};
    }

    // The proxy and the DNS stub dlopen() libldns, libidn2 and glibc's NSS
    // modules on first use, which may be while the sandbox runs; dlopen()
    // searches LD_LIBRARY_PATH, which may name a directory the sandbox can
    // write, and a library planted there would run in this unconfined
    // process. With LD_LIBRARY_PATH set, they are loaded now, before clone;
    // without it they stay lazy (issue 14: ~1 ms of every start).
    void preload_network_libraries() const {
        const char* path = std::getenv("LD_LIBRARY_PATH");
        if (path == nullptr || *path == '\0' || (!plan_.dns && !plan_.proxy)) return;
        StepTimer timer(verbose_, "network: libraries loaded before clone (LD_LIBRARY_PATH is set)");
        if (plan_.dns) net::dns::load_library();
        net::load_idna_library();
        net::load_hosts_modules();
    }

    // Block the relayed signals before clone so none is lost or acted on
    // between now and the wait loop; the command gets the caller's mask back.
    void block_signals() {
        sigemptyset(&relayed_);
        for (int sig : kRelayedSignals) sigaddset(&relayed_, sig);
        sigaddset(&relayed_, SIGCHLD);
        if (plan_.parent_pid > 0) sigaddset(&relayed_, parent_death_signal());
        sigchld_.emplace();
        // Blocked here only so init inherits it blocked: a wall_time
        // expiring during setup then stays pending for init's signalfd
        // instead of being dropped (pid 1 ignores default-action signals
        // from outside).
        sigset_t blocked = relayed_;
        sigaddset(&blocked, terminate_tree_signal());
        spec_.caller_ignores_sigchld = sigchld_->was_ignored;
        mask_.emplace();
        ::sigprocmask(SIG_BLOCK, &blocked, &mask_->saved);
        spec_.caller_mask = mask_->saved;
    }

    // The wait loop's fds, before clone: a sandbox never runs without its
    // signals, its wall_time or its memory watch (a failure here was once
    // a run without the limit).
    Status open_wait_fds() {
        signals_.reset(::signalfd(-1, &relayed_, SFD_CLOEXEC | SFD_NONBLOCK));
        if (!signals_.valid()) return sys_error("signalfd (the supervisor's signal relay)");
        if (plan_.wall_time) {
            wall_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
            if (!wall_timer_.valid()) return sys_error("limits.wall_time: timerfd_create");
        }
        // limits.memory without a cgroup: a periodic check of the sandbox's
        // total resident memory (RLIMIT_DATA alone binds each process, not
        // their sum).
        if (plan_.memory_watch_bytes != 0) {
            memory_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
            if (!memory_timer_.valid()) return sys_error("limits.memory: timerfd_create");
        }
        return {};
    }

    // After the mask (the signal must queue for the signalfd, not kill mxc)
    // and before clone (no sandbox may run unwatched).
    Status watch_parent() {
        parent_watch_.emplace(plan_.parent_pid);
        if (plan_.parent_pid > 0 && !parent_watch_->armed())
            return make_error(std::string("--die-with-parent: prctl(PR_SET_PDEATHSIG): ") +
                              std::strerror(errno));
        if (parent_died(plan_.parent_pid)) {
            out_.reason = "parent-died";
            return make_error("--die-with-parent: the process that started mxc (pid " +
                              std::to_string(plan_.parent_pid) +
                              ") exited before the sandbox started; nothing was run");
        }
        spec_.report_fd = report_write_.get();
        spec_.alive_fd = alive_read_.get();
        spec_.pids_tasks_fd = pids_tasks_.get();
        spec_.pids_leave_fd = pids_leave_.get();
        return {};
    }

    Status start() {
        if (early_ != nullptr) return adopt_early();
        run_before_command();
        std::uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;
        if (plan_.new_net) flags |= CLONE_NEWNET;
        const long clone_start = verbose_ ? monotonic_usec() : 0;
        child_ = clone_sandbox(flags, cgroup_ ? cgroup_->dir_fd() : -1);
        if (child_ < 0) return make_error(std::string("clone into new namespaces: ") + std::strerror(errno));
        if (child_ == 0) {
            ::close(alive_write_.release());
            ::close(report_read_.release());
            channel_.supervisor_end.reset();
            signals_.reset();
            wall_timer_.reset();
            memory_timer_.reset();
            sandbox_init_main(spec_);
        }
        if (verbose_) {
            log_step(plan_.new_net ? "namespaces: clone (user, mount, pid, ipc, net)"
                                   : "namespaces: clone (user, mount, pid, ipc)",
                     monotonic_usec() - clone_start);
        }
        report_write_.reset();
        alive_read_.reset();
        pids_tasks_.reset();
        pids_leave_.reset();
        return {};
    }

    // The early init gets its orders instead of being cloned, as soon as
    // the spec exists: the rest of prepare() (limits, network state, wait
    // fds) overlaps init's mount work. The v1 pids leaf goes with the go
    // ahead: init needs it only before its first fork.
    void send_early_orders() {
        if (early_ == nullptr) return;
        StepTimer timer(verbose_, "namespaces: cloned while the profile loaded (early init); orders sent");
        orders_sent_ = early_->send_orders(spec_, plan_.pids_v1 ? 2 : 0);
    }

    // The go-ahead for the command once run_before_command() is done, which
    // also overlaps init's mount work. A failed send means init died, and
    // its own report says why; the wait loop reaps it.
    Status adopt_early() {
        child_ = early_->pid();
        run_before_command();
        auto sent = orders_sent_;
        if (sent) sent = early_->send_go(pids_tasks_.get(), pids_leave_.get());
        pids_tasks_.reset();
        pids_leave_.reset();
        if (!sent) fail_running(sent);
        return {};
    }

    void run_before_command() {
        if (before_command_done_) return;
        before_command_done_ = true;
        if (before_command_) before_command_();
    }

    // Init now holds the only sandbox end: its exit or its own close is
    // what ends a wait for the listener.
    void hand_over() { channel_.sandbox_end.reset(); }

    Status serve() {
        if (tracer_ != nullptr) tracer_->set_init(child_);
        if (!plan_.new_net && plan_.learning) return serve_learning();
        if (plan_.new_net) return serve_network();
        return {};
    }

    Status serve_learning() {
        StepTimer timer(verbose_, "learning: seccomp listener received");
        auto sockets = receive_sandbox_sockets(channel_.supervisor_end.get());
        channel_.supervisor_end.reset();
        if (!sockets || !sockets->connect_notify.valid() || tracer_ == nullptr) {
            return make_error("learning: the sandbox sent no seccomp listener" +
                              (sockets ? std::string() : ": " + sockets.error().message));
        }
        return tracer_->start(std::move(sockets->connect_notify));
    }

    // Waits for init's sockets; the services that serve them start on first
    // use (start_service, from the wait loop), so a command that never
    // touches the network costs no thread. Nothing is lost meanwhile: a
    // connect() waits in the kernel for the broker's answer, a client of the
    // proxy or the DNS stub in the sockets' queues. A missing socket fails
    // here, at launch: without the proxy or the stub the sandbox would only
    // see failures and the user would not know why.
    Status serve_network() {
        {
            StepTimer timer(verbose_, "network: sockets received (waited for the sandbox's sockets)");
            auto sockets = receive_sandbox_sockets(channel_.supervisor_end.get());
            channel_.supervisor_end.reset();
            if (!sockets) return sockets.error();
            sockets_ = std::move(sockets).value();
        }
        if (plan_.broker && (!sockets_.connect_notify.valid() || !sockets_.unix_diag.valid()))
            return make_error("connect broker: the sandbox sent no seccomp listener");
        if (plan_.proxy && !sockets_.proxy_listener.valid())
            return make_error("egress proxy: the sandbox sent no listener");
        if (!sockets_.dns_udp.valid() || !sockets_.dns_tcp.valid())
            return make_error("DNS stub: the sandbox sent no sockets");
        // A socket no service is planned for is never served.
        if (!plan_.broker) {
            sockets_.connect_notify.reset();
            sockets_.unix_diag.reset();
        }
        if (!plan_.proxy) sockets_.proxy_listener.reset();
        // Learning: the broker's listener also carries the path calls the
        // tracer records, and startup time is not what `mxc learn` is for.
        if (plan_.learning) {
            StepTimer timer(verbose_, "network: broker, proxy and DNS stub started (learning)");
            for (auto service : {Service::Broker, Service::Proxy, Service::Dns})
                MXC_TRY(start_service(service));
        }
        return {};
    }

    enum class Service { Broker, Proxy, Dns };

    // Starts a service whose socket is still waiting in sockets_ (a no-op
    // otherwise). Its sockets leave sockets_ whatever the outcome, so the
    // wait loop stops polling them: a failure is the run's (exit 125), never
    // a sandbox silently left without the service.
    Status start_service(Service service) {
        std::string error;
        switch (service) {
            case Service::Broker: {
                if (!sockets_.connect_notify.valid()) return {};
                StepTimer timer(verbose_ && !plan_.learning, "network: connect broker started on first use");
                // Copies: the services start in any order, each at most once.
                error = start_broker(*plan_.broker, sockets_, matcher_, names_, on_net_, tracer_, broker_);
                break;
            }
            case Service::Proxy: {
                if (!sockets_.proxy_listener.valid()) return {};
                StepTimer timer(verbose_ && !plan_.learning, "network: egress proxy started on first use");
                error =
                    start_proxy(*plan_.proxy, std::move(sockets_.proxy_listener), *matcher_, on_net_, proxy_);
                break;
            }
            case Service::Dns: {
                if (!sockets_.dns_udp.valid()) return {};
                StepTimer timer(verbose_ && !plan_.learning, "network: DNS stub started on first use");
                error =
                    start_dns(sockets_, matcher_, names_, plan_.dns ? plan_.dns->profile_name : std::string(),
                              on_net_, plan_.learning.has_value(), dns_);
                break;
            }
        }
        drop_sockets(service);
        if (!error.empty()) return make_error(error);
        return {};
    }

    Status arm_timers() {
        if (wall_timer_.valid()) MXC_TRY(arm(wall_timer_.get(), *plan_.wall_time));
        if (memory_timer_.valid()) {
            itimerspec its{};
            const auto ms = plan_.memory_watch_period.count();
            its.it_value.tv_sec = its.it_interval.tv_sec = ms / 1000;
            its.it_value.tv_nsec = its.it_interval.tv_nsec = (ms % 1000) * 1000000;
            if (::timerfd_settime(memory_timer_.get(), 0, &its, nullptr) != 0)
                return sys_error("limits.memory: timerfd_settime");
        }
        return {};
    }

    // Until init is reaped: relay signals, enforce wall_time and the memory
    // watch, read init's reports, start a network service on its first use
    // (serve_network). A poll or read error ends it: the caller kills the
    // sandbox.
    Status wait() {
        // An early init that died before block_signals() sent its SIGCHLD
        // to nobody.
        if (::wait4(child_, &status_, WNOHANG, &usage_) == child_) return {};
        for (;;) {
            // An fd of -1 (a service already started, or none planned) is
            // skipped by poll.
            pollfd fds[8] = {{signals_.get(), POLLIN, 0},
                             {wall_timer_.get(), POLLIN, 0},
                             {report_open_ ? report_read_.get() : -1, POLLIN, 0},
                             {memory_seen_ == 0 ? memory_timer_.get() : -1, POLLIN, 0},
                             {sockets_.connect_notify.get(), POLLIN, 0},
                             {sockets_.proxy_listener.get(), POLLIN, 0},
                             {sockets_.dns_udp.get(), POLLIN, 0},
                             {sockets_.dns_tcp.get(), POLLIN, 0}};
            if (::poll(fds, 8, -1) < 0) {
                if (errno == EINTR) continue;
                return sys_error("poll (the supervisor's wait loop)");
            }
            if (fds[3].revents != 0) MXC_TRY(on_memory_tick());
            if (fds[2].revents != 0 && on_report()) return {};
            if (fds[1].revents != 0) MXC_TRY(on_wall_timer());
            if (fds[0].revents != 0) {
                auto done = on_signals();
                if (!done) return done.error();
                if (*done && ::wait4(child_, &status_, WNOHANG, &usage_) == child_) return {};
            }
            // Any event starts the service, POLLERR and POLLHUP too: it
            // handles its sockets' errors itself. After the signals, so a
            // sandbox already reaped starts nothing. One exception: the
            // seccomp listener reports POLLHUP alone once no task holds the
            // filter (init has exited, often before its SIGCHLD is read
            // here): no connect() can ever wait on it again, so there is
            // nothing to serve.
            if (fds[4].revents == POLLHUP) {
                drop_sockets(Service::Broker);
            } else if (fds[4].revents != 0) {
                start_or_fail(Service::Broker);
            }
            if (fds[5].revents != 0) start_or_fail(Service::Proxy);
            if (fds[6].revents != 0 || fds[7].revents != 0) start_or_fail(Service::Dns);
        }
    }

    void start_or_fail(Service service) {
        Status st;
        try {
            st = start_service(service);
        } catch (const std::system_error& e) {
            // std::thread's way of saying the thread could not be created.
            drop_sockets(service);
            st = make_error(std::string("network: a service thread could not start: ") + e.what());
        }
        if (!st) fail_running(st);
    }

    void drop_sockets(Service service) {
        switch (service) {
            case Service::Broker:
                sockets_.connect_notify.reset();
                sockets_.unix_diag.reset();
                break;
            case Service::Proxy:
                sockets_.proxy_listener.reset();
                break;
            case Service::Dns:
                sockets_.dns_udp.reset();
                sockets_.dns_tcp.reset();
                break;
        }
    }

    Status on_memory_tick() {
        std::uint64_t ticks = 0;
        auto got =
            read_exactly(memory_timer_.get(), &ticks, sizeof ticks, "limits.memory: read of the timer");
        if (!got) return got.error();
        if (!*got) return {};
        // A failed read (init already gone) is no evidence: skip the tick.
        auto rss = sandbox_resident_bytes(child_);
        if (rss && *rss > plan_.memory_watch_bytes) {
            memory_seen_ = *rss;
            // init's death takes the whole pid namespace with it.
            ::kill(child_, SIGKILL);
        }
        return {};
    }

    // True once the sandbox is over: init sends the command's wait status
    // after it has killed and reaped every other process (pid_init.cpp,
    // empty_namespace), so the run ends without waiting for init's own exit
    // and the namespaces' teardown; init, a zombie of mxc until mxc exits,
    // is never reaped by anyone else meanwhile. A cgroup v2 leaf keeps the
    // wait for init: its rmdir needs init gone, and init cannot leave the
    // leaf (the parent has controllers enabled).
    bool on_report() {
        char buf[4096];
        const ssize_t n = ::read(report_read_.get(), buf, sizeof buf);
        if (n > 0) {
            report_bytes_.append(buf, static_cast<size_t>(n));
            parse_new_reports();
            return !cgroup_ && reports_.has_wait_status;
        }
        if (n == 0 || errno != EINTR) report_open_ = false;
        return false;
    }

    Status on_wall_timer() {
        std::uint64_t ticks = 0;
        auto got =
            read_exactly(wall_timer_.get(), &ticks, sizeof ticks, "limits.wall_time: read of the timer");
        if (!got) return got.error();
        if (!*got) return {};
        if (!timed_out_) {
            timed_out_ = true;
            ::kill(child_, terminate_tree_signal());
            MXC_TRY(arm(wall_timer_.get(), plan_.kill_grace));
        } else if (!killed_) {
            killed_ = true;
            // init's death takes the whole pid namespace with it.
            ::kill(child_, SIGKILL);
        }
        return {};
    }

    // True when SIGCHLD arrived (init may have exited).
    Result<bool> on_signals() {
        bool child_done = false;
        for (;;) {
            signalfd_siginfo si{};
            auto got = read_exactly(signals_.get(), &si, sizeof si, "read of the supervisor's signalfd");
            if (!got) return got.error();
            if (!*got) return child_done;
            const int sig = static_cast<int>(si.ssi_signo);
            if (sig == SIGCHLD) {
                child_done = true;
            } else if (plan_.parent_pid > 0 && sig == parent_death_signal()) {
                // init's death takes the whole pid namespace with it.
                if (!orphaned_ && parent_died(plan_.parent_pid)) {
                    orphaned_ = true;
                    ::kill(child_, SIGKILL);
                }
            } else if (si.ssi_code != SI_KERNEL) {
                // Sent with kill(2) to mxc: relay. Terminal-generated
                // signals already reached the foreground group directly.
                ::kill(child_, sig);
            }
        }
    }

    // -v: the sandbox's steps as they are reported, before the command's
    // own output where possible.
    // Parses what arrived since the last call (learning can send 100,000
    // reports: each byte is parsed once), then logs the new steps.
    void parse_new_reports() {
        reports_parsed_ = parse_reports_into(reports_, report_bytes_, reports_parsed_);
        if (!verbose_) return;
        for (; steps_logged_ < reports_.steps.size(); ++steps_logged_) {
            log_step(reports_.steps[steps_logged_].name, reports_.steps[steps_logged_].usec);
        }
    }

    // A failure once the sandbox runs: the first one is the run's reason
    // (exit 125), and init's death takes the whole pid namespace with it.
    void fail_running(const Status& st) {
        if (error_.empty()) error_ = st.error().message;
        ::kill(child_, SIGKILL);
    }

    void reap() {
        while (::wait4(child_, &status_, 0, &usage_) < 0 && errno == EINTR) {
        }
    }

    void collect() {
        // Only the services the sandbox used were started. Every one is
        // asked first, so the threads wake up together instead of one join
        // waiting for the next thread to be scheduled.
        if (broker_) broker_->request_stop();
        if (dns_) dns_->request_stop();
        if (proxy_) proxy_->stop();  // emits the audit events of connections still open
        if (broker_) broker_->stop();
        if (dns_) dns_->stop();
        if (tracer_ != nullptr) tracer_->stop();
        // Nothing writes here any more (init sent its last report or exited,
        // the command's copy closed on execve); non-blocking all the same, so
        // a stray writer can never hang mxc.
        ::fcntl(report_read_.get(), F_SETFL, O_NONBLOCK);
        drain(report_read_.get(), report_bytes_);
        parse_new_reports();
        const auto wall = std::chrono::steady_clock::now() - started_;
        out_.wall_ms =
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(wall).count());
        if (reports_.has_usage) {
            out_.cpu_ms = reports_.cpu_ms;
            out_.max_rss_kb = reports_.max_rss_kb;
            return;
        }
        out_.cpu_ms = static_cast<std::uint64_t>(usage_.ru_utime.tv_sec + usage_.ru_stime.tv_sec) * 1000 +
                      static_cast<std::uint64_t>(usage_.ru_utime.tv_usec + usage_.ru_stime.tv_usec) / 1000;
        out_.max_rss_kb = static_cast<std::uint64_t>(usage_.ru_maxrss);
    }

    RunOutcome report() {
        const ChildReports& reports = reports_;
        out_.warnings = reports.warnings;
        out_.layer_writes = reports.layer_writes;
        if (reports.has_wait_status) {
            const int ws = reports.wait_status;
            if (WIFSIGNALED(ws)) {
                out_.signal = WTERMSIG(ws);
                out_.reason = "signaled";
                out_.exit_code = 128 + out_.signal;
            } else {
                out_.status = WEXITSTATUS(ws);
                out_.exit_code = out_.status;
            }
        } else if (WIFEXITED(status_)) {
            out_.exit_code = WEXITSTATUS(status_);
            out_.status = out_.exit_code;
        } else if (WIFSIGNALED(status_)) {
            out_.signal = WTERMSIG(status_);
            out_.reason = "signaled";
            out_.exit_code = 128 + out_.signal;
        }
        if (!reports.setup_error.empty()) {
            out_.error = reports.setup_error;
            out_.exit_code = exit_code::kMxcFailure;
        } else if (!error_.empty()) {
            out_.error = error_;
            out_.exit_code = exit_code::kMxcFailure;
            out_.reason = "exited";
            out_.signal = 0;
        } else if (reports.exec_errno != 0) {
            out_.error = argv_.empty() ? std::string("empty command")
                                       : argv_[0] + ": " + std::strerror(reports.exec_errno);
            if (reports.exec_errno == ENOENT) out_.error = argv_[0] + ": command not found in the sandbox";
            out_.exit_code =
                exit_code::of(reports.exec_errno == ENOENT ? exit_code::ExecFailure::NotFound
                                                           : exit_code::ExecFailure::NotExecutable);
        }
        if (orphaned_) {
            out_.reason = "parent-died";
        } else if (timed_out_ && error_.empty()) {
            // (A wait loop that failed after the timeout is mxc's own failure.)
            out_.reason = "timeout";
            out_.exit_code = exit_code::kTimeout;
        } else if (memory_seen_ != 0) {
            out_.reason = "limit";
            if (out_.error.empty())
                out_.error = "limits.memory: the sandbox's processes held " +
                             std::to_string(memory_seen_ >> 20) + " MiB resident, over the limit of " +
                             std::to_string(plan_.memory_watch_bytes >> 20) +
                             " MiB: stopped (raise it with --memory SIZE, or --memory unlimited)";
        } else if ((cgroup_ && cgroup_->oom_kills() > 0) || out_.signal == SIGXCPU ||
                   out_.signal == SIGXFSZ) {
            out_.reason = "limit";
        }
        return out_;
    }

    const LinuxPlan& plan_;
    const SeccompPlan& seccomp_;
    BpfProgram seccomp_bpf_;  // spec_.seccomp
    BpfProgram broker_bpf_;   // spec_.broker
    const std::vector<std::string>& argv_;
    net::EgressProxy::NetCallback on_net_;
    LearnTracer* tracer_;
    EarlyInit* early_;  // null: init is cloned at start()
    const BeforeCommand& before_command_;
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    const bool verbose_ = log::verbose();
    RunOutcome out_;

    // Destroyed in reverse: the threads are stopped before the signal mask
    // is restored, the mask before SIGCHLD's disposition, the cgroup leaves
    // last (init is reaped, or has left the v1 leaf, by then).
    std::optional<CgroupLeaf> cgroup_;
    std::optional<PidsV1Leaf> pids_v1_;
    UniqueFd pids_tasks_, pids_leave_;
    std::vector<std::string> args_ = argv_;
    std::vector<std::string> env_ = plan_.env;
    SandboxSpec spec_;
    UniqueFd report_read_, report_write_;
    UniqueFd alive_read_, alive_write_;
    std::optional<net::Matcher> matcher_;
    SocketChannel channel_;
    // Which addresses the DNS stub gave out for which name; the connect
    // broker reads it (name_memory.hpp).
    std::shared_ptr<net::NameMemory> names_ = std::make_shared<net::NameMemory>();
    sigset_t relayed_{};
    std::optional<SigchldGuard> sigchld_;
    std::optional<MaskGuard> mask_;
    std::optional<ParentDeathWatch> parent_watch_;
    UniqueFd signals_, wall_timer_, memory_timer_;
    // Init's sockets whose service has not started yet (serve_network).
    SandboxSockets sockets_;
    std::unique_ptr<net::EgressProxy> proxy_;
    std::unique_ptr<ConnectBroker> broker_;
    std::unique_ptr<net::DnsStub> dns_;

    pid_t child_ = -1;
    Status orders_sent_;  // early init: how sending its orders went
    std::string error_;   // mxc's own failure after clone: exit 125
    bool before_command_done_ = false;
    bool timed_out_ = false;
    bool killed_ = false;
    bool orphaned_ = false;
    bool report_open_ = true;
    std::string report_bytes_;
    ChildReports reports_;  // report_bytes_ parsed up to reports_parsed_
    std::size_t reports_parsed_ = 0;
    std::size_t steps_logged_ = 0;
    std::uint64_t memory_seen_ = 0;  // resident bytes when the limit was crossed
    int status_ = 0;
    rusage usage_{};
};

}  // namespace

RunOutcome run_sandbox(const LinuxPlan& plan, const SeccompPlan& seccomp,
                       const std::vector<std::string>& argv, net::EgressProxy::NetCallback on_net,
                       LearnTracer* tracer, EarlyInit* early, const BeforeCommand& before_command) {
    Supervisor supervisor(plan, seccomp, argv, std::move(on_net), tracer, early, before_command);
    return supervisor.run();
}

}  // namespace mxc::lnx
