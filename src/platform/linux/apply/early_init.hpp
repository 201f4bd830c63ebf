#pragma once
// The sandbox's init, cloned before the profile is loaded (issue 14;
// docs/design.md "Startup"). Creating the namespaces is the kernel's
// slowest part of a start (a network namespace alone is about 0.6 ms), and
// none of it depends on the profile; done by a child on the other core while
// the supervisor loads the profile, observes the host and compiles the plan,
// it costs the run less. The early init maps its ids, creates its mount,
// ipc and network namespaces, brings up loopback, opens the sandbox's
// sockets and loads the connect broker's filter, then waits for its orders
// (init_orders.hpp) and continues as any sandbox init (pid_init.cpp).
//
// Nothing runs in it before the orders arrive, and it runs nothing at all
// unless the supervisor then sends its go-ahead: a refused profile, a dry run
// that was not caught earlier, a plan it does not fit (below) or a supervisor
// that fails after the orders ends it unused. It dies with the supervisor
// (parent-death signal, and the orders channel closing).
#include <sys/types.h>

#include <memory>
#include <optional>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/apply/sigchld_guard.hpp"

namespace mxc::lnx {

class InitHelperLaunch;
struct LinuxPlan;
struct SandboxSpec;

class EarlyInit {
public:
    // Null when it could not be started; the run then clones its init when
    // the plan is ready, and reports any failure there.
    static std::unique_ptr<EarlyInit> start(bool verbose);
    ~EarlyInit();
    EarlyInit(const EarlyInit&) = delete;
    EarlyInit& operator=(const EarlyInit&) = delete;

    // Whether this init can carry out `plan`: its own network namespace with
    // the connect broker (and the proxy on its fixed port, if any), no
    // learning layers, no cgroup v2 leaf (entered with CLONE_INTO_CGROUP at
    // clone time), and the ids it mapped.
    [[nodiscard]] bool fits(const LinuxPlan& plan) const;
    // Ends an init that will not be used (it waited, or built its mount tree
    // from the orders, but ran nothing), and restores the caller's SIGCHLD
    // disposition.
    void abandon();

    [[nodiscard]] pid_t pid() const { return pid_; }
    // The supervisor's ends, taken once at adoption.
    UniqueFd take_report() { return std::move(report_read_); }
    UniqueFd take_alive() { return std::move(alive_write_); }
    UniqueFd take_channel() { return std::move(channel_); }
    // The orders, as soon as the spec exists: init builds the mount tree
    // while the supervisor sets up the limits, the network services' state
    // and its guards. `go_fds`: how many descriptors the go-ahead will carry
    // (0, or 2 with a v1 pids leaf). An error here means init already died,
    // and its own report says why.
    Status send_orders(const SandboxSpec& spec, std::uint32_t go_fds);
    // Lets init fork the command (it waits for this after the mount tree),
    // with the v1 pids leaf's `tasks` and its parent's when both are valid.
    // After this the init is the run's: the supervisor reaps it; before it,
    // abandon() ends it.
    Status send_go(int pids_tasks_fd, int pids_leave_fd);

private:
    EarlyInit() = default;
    pid_t pid_ = -1;
    bool adopted_ = false;
    unsigned uid_ = 0;
    unsigned gid_ = 0;
    UniqueFd report_read_;
    UniqueFd alive_write_;
    UniqueFd channel_;  // the supervisor's end of the socket handoff (sandbox_sockets.hpp)
    UniqueFd orders_;   // the supervisor's end of the orders stream
    std::optional<SigchldGuard> sigchld_;
    std::unique_ptr<InitHelperLaunch> launch_;  // set when init is mxc-init
};

}  // namespace mxc::lnx
