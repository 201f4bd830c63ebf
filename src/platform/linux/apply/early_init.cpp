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
#include "platform/linux/apply/early_init_main.hpp"
#include "platform/linux/apply/fd_passing.hpp"
#include "platform/linux/apply/init_helper.hpp"
#include "platform/linux/apply/init_orders.hpp"
#include "platform/linux/apply/net_ns.hpp"
#include "platform/linux/apply/sandbox_sockets.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/user_ns.hpp"

namespace mxc::lnx {

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
    // mxc-init when it is there (init_helper.hpp); this process's own copy
    // otherwise.
    EarlyChild in_process = child;
    in_process.compile_broker = &broker_program;
    if (const UniqueFd helper = open_init_helper();
        helper.valid() && !find_precompiled(broker_key(true, false)).empty()) {
        e->launch_ = InitHelperLaunch::start(helper.get(), child);
        if (e->launch_) {
            e->pid_ = e->launch_->pid();
            return e;
        }
    }
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
        early_init_main(in_process);
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
    const bool reaped = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
    if (launch_ && reaped) launch_->child_done_with_block();
    pid_ = -1;
    orders_.reset();
    report_read_.reset();
    alive_write_.reset();
    channel_.reset();
    sigchld_.reset();
}

EarlyInit::~EarlyInit() {
    // An adopted init ran the whole sandbox (or died): it is past its
    // execve.
    if (launch_ && adopted_) launch_->child_done_with_block();
    abandon();
}

Status EarlyInit::send_orders(const SandboxSpec& spec, std::uint32_t go_fds) {
    const std::string payload = encode_init_orders(spec, go_fds);
    const std::uint64_t size = payload.size();
    MXC_TRY(send_with_fds(orders_.get(), std::as_bytes(std::span(&size, 1)), {}, "sandbox init's orders"));
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

Status EarlyInit::send_go(int pids_tasks_fd, int pids_leave_fd) {
    adopted_ = true;
    const bool pids = pids_tasks_fd >= 0 && pids_leave_fd >= 0;
    const std::array<int, 2> fds{pids_tasks_fd, pids_leave_fd};
    const char go = kGoAhead;
    auto sent = send_with_fds(orders_.get(), std::as_bytes(std::span(&go, 1)),
                              pids ? std::span<const int>(fds) : std::span<const int>(),
                              "letting sandbox init start the command");
    orders_.reset();
    return sent;
}

}  // namespace mxc::lnx
