#include "platform/linux/apply/early_init.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "common/exit_codes.hpp"
#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/child_report.hpp"
#include "platform/linux/apply/fd_passing.hpp"
#include "platform/linux/apply/init_orders.hpp"
#include "platform/linux/apply/net_ns.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {
namespace {

// Orders larger than this are a bug, not a plan (a plan of 10,000 rules is
// about 2 MiB): refused rather than allocated.
constexpr std::uint64_t kMaxOrders = 64ULL << 20;

// What the child keeps from before clone: plain values, no objects whose
// destructors the child would never run.
struct EarlyChild {
    int report_fd;
    int alive_fd;
    int channel_fd;
    int orders_fd;
    unsigned uid;
    unsigned gid;
    bool caller_ignores_sigchld;
    bool verbose;
};

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

[[noreturn]] void early_init_main(const EarlyChild& c) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (supervisor_gone(c.alive_fd)) _exit(exit_code::kMxcFailure);
    // The supervisor blocks its signals only later; init takes the caller's
    // mask for the command now and blocks its own set from the start.
    const sigset_t handled = init_signal_set();
    sigset_t caller_mask;
    ::sigprocmask(SIG_BLOCK, &handled, &caller_mask);
    StepClock steps(c.verbose, c.report_fd);
    if (auto st = map_own_ids(c.uid, c.gid); !st) fail(c.report_fd, st);
    // Non-dumpable at once: see sandbox_init_main.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    steps.done("user namespace: uid/gid maps (while the profile loaded)");
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
    auto broker_filter = broker_program(true, false);
    if (!broker_filter) fail(c.report_fd, broker_filter.error());
    auto listener = install_broker_filter(broker_filter->code());
    if (!listener) fail(c.report_fd, listener.error());
    sockets->connect_notify = std::move(listener).value();
    steps.done("network namespace: proxy, DNS and broker sockets ready (while the profile loaded)");

    std::vector<UniqueFd> passed;
    auto bytes = receive_orders(c.orders_fd, passed);
    if (bytes && bytes->empty()) _exit(exit_code::kMxcFailure);  // not used: nothing to report
    if (!bytes) fail(c.report_fd, bytes.error());
    auto orders = decode_init_orders(*bytes);
    if (!orders) fail(c.report_fd, orders.error());
    if (orders->passed_fds != passed.size() || (passed.size() != 0 && passed.size() != 2))
        fail(c.report_fd, make_error("init orders: the pids cgroup descriptors did not arrive"));

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
    if (passed.size() == 2) {
        spec.pids_tasks_fd = passed[0].release();
        spec.pids_leave_fd = passed[1].release();
    }
    spec.caller_mask = caller_mask;
    spec.caller_ignores_sigchld = c.caller_ignores_sigchld;
    spec.report_steps = orders->report_steps;
    spec.namespaces_ready = true;
    spec.ready_sockets = &*sockets;
    spec.go_fd = c.orders_fd;
    sandbox_init_main(spec);
}

}  // namespace

std::unique_ptr<EarlyInit> EarlyInit::start(bool verbose) {
    std::unique_ptr<EarlyInit> e(new EarlyInit());
    e->uid_ = ::getuid();
    e->gid_ = ::getgid();
    int report[2];
    int alive[2];
    int orders[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return nullptr;
    UniqueFd report_write(report[1]);
    e->report_read_.reset(report[0]);
    if (::pipe2(alive, O_CLOEXEC) != 0) return nullptr;
    UniqueFd alive_read(alive[0]);
    e->alive_write_.reset(alive[1]);
    auto channel = make_socket_channel();
    if (!channel) return nullptr;
    e->channel_ = std::move(channel->supervisor_end);
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, orders) != 0) return nullptr;
    UniqueFd orders_read(orders[1]);
    e->orders_.reset(orders[0]);
    // Before clone, so a child that dies early is never reaped behind our
    // back by a caller's SIG_IGN.
    e->sigchld_.emplace();

    const EarlyChild child{report_write.get(),       alive_read.get(), channel->sandbox_end.get(),
                           orders_read.get(),        e->uid_,          e->gid_,
                           e->sigchld_->was_ignored, verbose};
    // The mount, ipc and network namespaces: the child creates them itself
    // (early_init_main).
    e->pid_ = clone_sandbox(CLONE_NEWUSER | CLONE_NEWPID, -1);
    if (e->pid_ == 0) {
        // The supervisor's ends: an init holding the alive pipe's write end
        // would never see the supervisor die.
        ::close(e->report_read_.get());
        ::close(e->alive_write_.get());
        ::close(e->channel_.get());
        ::close(e->orders_.get());
        early_init_main(child);
    }
    if (e->pid_ < 0) {
        e->sigchld_.reset();
        return nullptr;
    }
    return e;
}

bool EarlyInit::fits(const LinuxPlan& plan) const {
    return plan.new_net && plan.broker && (!plan.proxy || plan.proxy->port == ProxyPlan::kDefaultPort) &&
           !plan.learning && !plan.cgroup && plan.uid == uid_ && plan.gid == gid_;
}

void EarlyInit::abandon() {
    if (pid_ <= 0 || adopted_) return;
    // Closing the orders stream alone would end it; SIGKILL does not wait
    // for it to notice. Not reaped here (its namespaces' teardown would hold
    // up this run): a zombie of mxc until mxc exits.
    ::kill(pid_, SIGKILL);
    (void)::waitpid(pid_, nullptr, WNOHANG);
    pid_ = -1;
    orders_.reset();
    report_read_.reset();
    alive_write_.reset();
    channel_.reset();
    sigchld_.reset();
}

EarlyInit::~EarlyInit() {
    abandon();
}

Status EarlyInit::send_orders(const SandboxSpec& spec, int pids_tasks_fd, int pids_leave_fd) {
    adopted_ = true;
    const bool pids = pids_tasks_fd >= 0 && pids_leave_fd >= 0;
    const std::array<int, 2> fds{pids_tasks_fd, pids_leave_fd};
    const std::string payload = encode_init_orders(spec, pids ? 2 : 0);
    const std::uint64_t size = payload.size();
    MXC_TRY(send_with_fds(orders_.get(), std::as_bytes(std::span(&size, 1)),
                          pids ? std::span<const int>(fds) : std::span<const int>(),
                          "sandbox init's orders"));
    std::size_t sent = 0;
    while (sent < payload.size()) {
        const ssize_t w = ::send(orders_.get(), payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
        if (w > 0) {
            sent += static_cast<std::size_t>(w);
        } else if (errno != EINTR) {
            return sys_error("sending sandbox init its orders");
        }
    }
    return {};
}

Status EarlyInit::send_go() {
    const char go = 'g';
    ssize_t n;
    do {
        n = ::send(orders_.get(), &go, 1, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    orders_.reset();
    if (n != 1) return sys_error("letting sandbox init start the command");
    return {};
}

}  // namespace mxc::lnx
