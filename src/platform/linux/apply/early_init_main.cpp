#include "platform/linux/apply/early_init_main.hpp"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/exit_codes.hpp"
#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/command_standby.hpp"
#include "platform/linux/apply/cpu_affinity.hpp"
#include "platform/linux/apply/fd_passing.hpp"
#include "platform/linux/apply/init_orders.hpp"
#include "platform/linux/apply/mounts.hpp"
#include "platform/linux/apply/net_ns.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {
namespace {

// Orders larger than this are a bug, not a plan (a plan of 10,000 rules is
// about 2 MiB): refused rather than allocated.
constexpr std::uint64_t kMaxOrders = 64ULL << 20;

[[noreturn]] void fail(int report_fd, const Status& st) {
    send_report(report_fd, ReportTag::SetupError, st.error().message);
    _exit(exit_code::kMxcFailure);
}

// The header (the length of what follows) carries the passed descriptors.
// An empty result with no error: the supervisor closed the stream without
// orders, so this init is not used.
Result<std::string> receive_orders(int fd, std::vector<UniqueFd>& passed) {
    std::uint64_t size = 0;
    auto header =
        receive_with_fds(fd, std::as_writable_bytes(std::span(&size, 1)), MSG_WAITALL, "init orders");
    if (!header) return header.error();
    passed = std::move(header->fds);
    if (header->bytes == 0) return std::string();
    if (header->bytes != static_cast<ssize_t>(sizeof size) || header->truncated || size == 0 ||
        size > kMaxOrders)
        return make_error("init orders: bad header");
    std::string bytes(size, '\0');
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t r = ::recv(fd, bytes.data() + got, bytes.size() - got, MSG_WAITALL);
        if (r > 0) {
            got += static_cast<std::size_t>(r);
        } else if (r == 0 || errno != EINTR) {
            return make_error("init orders: the supervisor stopped in the middle of them");
        }
    }
    return bytes;
}

// How long init polls for its orders before it sleeps on them.
constexpr long kOrdersPollNs = 1'000'000;

// Init's CPU would go idle while it waits for the orders, and waking an
// idle CPU is slow on a guest: 0.1-0.2 ms from the supervisor's send to
// init's read, measured here, when the orders usually come less than a
// millisecond after init is ready. So init polls for them for up to
// kOrdersPollNs, yielding to anything else that wants this CPU, before it
// blocks. Only with another CPU to run on: the supervisor is the one it
// waits for.
void poll_briefly_for(int fd) {
    if (!other_cpus()) return;
    timespec start{};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pollfd ready{fd, POLLIN, 0};
        if (::poll(&ready, 1, 0) != 0) return;
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1'000'000'000L + (now.tv_nsec - start.tv_nsec) > kOrdersPollNs)
            return;
        ::sched_yield();
    }
}

}  // namespace

Result<BpfProgram> early_broker_filter(const EarlyChild& c) {
    // broker_program looks in the table first itself.
    if (c.compile_broker != nullptr) return c.compile_broker(true, false);
    if (auto code = find_precompiled(broker_key(true, false)); !code.empty()) return BpfProgram(code);
    return make_error("sandbox init: this build has no precompiled connect broker filter");
}

[[noreturn]] void early_init_main(const EarlyChild& c) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (c.restore_affinity && ::sched_setaffinity(0, sizeof c.cpu_affinity, &c.cpu_affinity) != 0)
        fail(c.report_fd, sys_error("sched_setaffinity (the caller's CPUs) in sandbox init"));
    if (supervisor_gone(c.alive_fd)) _exit(exit_code::kMxcFailure);
    // The supervisor blocks its signals only later; init takes the caller's
    // mask for the command now and blocks its own set from the start.
    const sigset_t handled = init_signal_set();
    sigset_t caller_mask;
    if (c.caller_mask != nullptr) {
        caller_mask = *c.caller_mask;
        sigset_t mask = handled;
        for (int sig = 1; sig < NSIG; ++sig) {
            if (::sigismember(&caller_mask, sig) == 1) ::sigaddset(&mask, sig);
        }
        ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    } else {
        ::sigprocmask(SIG_BLOCK, &handled, &caller_mask);
    }
    StepClock steps(c.verbose, c.report_fd);
    if (!c.ids_mapped) {
        if (auto st = map_own_ids(c.uid, c.gid); !st) fail(c.report_fd, st);
    }
    // Non-dumpable at once: see sandbox_init_main.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    steps.done(c.ids_mapped ? "user namespace: uid/gid maps (written before mxc-init started)"
                            : "user namespace: uid/gid maps (while the profile loaded)");
    // Here rather than in clone(): clone() builds its namespaces in the
    // caller, and the network namespace alone takes about 0.6 ms. Only the
    // user and pid namespaces must exist at clone (init is pid 1 of the new
    // one); the rest are built on this core, not the supervisor's. Owned by
    // the new user namespace either way.
    if (::unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET) != 0)
        fail(c.report_fd, sys_error("unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET) in sandbox init"));
    if (auto st = bring_up_loopback(); !st) fail(c.report_fd, st);
    steps.done("mount, ipc and network namespaces: created, loopback up (while the profile loaded)");
    // Every plan this init can carry out has its own network namespace,
    // hence the DNS stub's sockets, the unix diag socket and the connect
    // broker with the one filter a non-learning run loads (EarlyInit::fits).
    // The proxy's listener too (its port is fixed); init closes it when the
    // plan has no proxy. Sockets first: the filter traps listen().
    auto sockets = open_sandbox_sockets(ProxyPlan::kDefaultPort);
    if (!sockets) fail(c.report_fd, sockets.error());
    auto broker_filter = early_broker_filter(c);
    if (!broker_filter) fail(c.report_fd, broker_filter.error());
    auto listener = install_broker_filter(broker_filter->code());
    if (!listener) fail(c.report_fd, listener.error());
    sockets->connect_notify = std::move(listener).value();
    steps.done("network namespace: proxy, DNS and broker sockets ready (while the profile loaded)");

    // The start of every plan's mount tree, so that after the orders only
    // the profile's part remains (mounts.hpp).
    auto premounted = premount_sandbox_root();
    if (!premounted) fail(c.report_fd, premounted.error());
    steps.done("mount namespace: staging, root tmpfs, /proc and /dev (while the profile loaded)");
    // The command's child too; it loads the plan's filter once armed.
    std::optional<CommandStandby> standby;
    if (CommandStandby::buildable()) {
        auto started = CommandStandby::start_idle();
        if (!started) fail(c.report_fd, started.error());
        standby.emplace(std::move(started).value());
    }

    std::vector<UniqueFd> passed;
    poll_briefly_for(c.orders_fd);
    auto bytes = receive_orders(c.orders_fd, passed);
    if (bytes && bytes->empty()) _exit(exit_code::kMxcFailure);  // not used: nothing to report
    if (!bytes) fail(c.report_fd, bytes.error());
    auto orders = decode_init_orders(*bytes);
    if (!orders) fail(c.report_fd, orders.error());
    if (!passed.empty() || (orders->go_fds != 0 && orders->go_fds != 2))
        fail(c.report_fd, make_error("init orders: descriptors where none belong"));

    const BpfProgram seccomp(std::move(orders->seccomp));
    const BpfProgram broker(std::move(orders->broker));
    // The filter loaded above must be the one the plan asks for.
    const auto loaded = broker_filter->code();
    const auto wanted = broker.code();
    if (loaded.size() != wanted.size() || std::memcmp(loaded.data(), wanted.data(), loaded.size_bytes()) != 0)
        fail(c.report_fd, make_error("init orders: the plan's connect broker filter is not the one loaded"));
    SandboxSpec spec;
    spec.plan = &orders->plan;
    spec.seccomp = &seccomp;
    spec.broker = broker.code().empty() ? nullptr : &broker;
    for (auto& a : orders->argv) spec.argv.push_back(a.data());
    spec.argv.push_back(nullptr);
    for (auto& e : orders->env) spec.envp.push_back(e.data());
    spec.envp.push_back(nullptr);
    spec.path_env = orders->path_env;
    spec.report_fd = c.report_fd;
    spec.alive_fd = c.alive_fd;
    spec.sockets_fd = c.channel_fd;
    spec.caller_mask = caller_mask;
    spec.caller_ignores_sigchld = c.caller_ignores_sigchld;
    spec.report_steps = orders->report_steps;
    spec.namespaces_ready = true;
    spec.premounted = *premounted;
    spec.ready_sockets = &*sockets;
    spec.idle_standby = standby ? &*standby : nullptr;
    spec.go_fd = c.orders_fd;
    spec.go_fds = orders->go_fds;
    sandbox_init_main(spec);
}

}  // namespace mxc::lnx
