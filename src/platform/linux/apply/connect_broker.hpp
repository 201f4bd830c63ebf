#pragma once
// The connect broker (issue 11; docs/design.md "Network"): serves the
// notifications of the broker filter (broker_filter.hpp) on one supervisor
// thread. For every connect() of the sandbox it decides, on its own copy of
// the address and of the socket, with the same matcher as the egress proxy:
//
//   TCP to an address outside the sandbox, allowed
//       the supervisor connects a socket of its own in the host's network
//       namespace (options copied from the sandbox's socket) and installs it
//       in place of the sandbox's descriptor (SECCOMP_IOCTL_NOTIF_ADDFD with
//       SECCOMP_ADDFD_FLAG_SETFD); blocking callers get the result when the
//       connection completes, non-blocking ones EINPROGRESS at once.
//   refused
//       ECONNREFUSED at once, and one audit "net" event (via "connect").
//   the sandbox's own loopback, UDP, abstract unix sockets
//       connected on the supervisor's copy of the sandbox's socket, which
//       lives in the sandbox's namespace, so it stays inside.
//   pathname unix sockets
//       [network].unix, or a socket bound inside the sandbox; through an fd
//       of the checked inode, never a path the sandbox can swap.
//
// The supervisor never lets the kernel re-run a call (no
// SECCOMP_USER_NOTIF_FLAG_CONTINUE): the sandbox could change the address in
// its memory or the descriptor in its table between the check and the
// kernel's own run of it, and a socket the broker installed lives in the
// host's namespace. For the same reason listen() is refused on any socket
// that does not live in the sandbox's namespace.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "net/matcher.hpp"
#include "net/name_memory.hpp"
#include "platform/linux/plan/plan.hpp"

struct seccomp_notif;

namespace mxc::lnx {

struct ConnectBrokerOptions {
    std::size_t max_pending = 4096;  // connects in flight; beyond, EAGAIN
    // Learning (issue 13): the listener also carries the path calls; every
    // notification that is not the broker's goes here, on the broker's
    // thread, which must answer it. Empty: such calls fail with EPERM.
    std::function<void(int notify_fd, const seccomp_notif& req)> other_calls;
};

class ConnectBroker {
public:
    using NetCallback = std::function<void(const audit::NetEvent&)>;

    // `notify`: the listener sandbox init created. `unix_diag`: the
    // NETLINK_SOCK_DIAG socket init created in the sandbox's network
    // namespace; it also identifies that namespace. `matcher` empty: mode
    // "none", nothing leaves.
    static Result<std::unique_ptr<ConnectBroker>> create(UniqueFd notify, UniqueFd unix_diag,
                                                         const BrokerPlan& plan,
                                                         std::optional<net::Matcher> matcher,
                                                         std::shared_ptr<const net::NameMemory> names,
                                                         NetCallback on_event,
                                                         ConnectBrokerOptions options = {});
    ~ConnectBroker();  // stop()s
    ConnectBroker(const ConnectBroker&) = delete;
    ConnectBroker& operator=(const ConnectBroker&) = delete;

    Status start();
    void stop();  // idempotent; pending calls are answered with ECONNABORTED
    // Asks the thread to finish without waiting for it; stop() still joins.
    // The supervisor asks every service first so their wakeups overlap.
    void request_stop();

    struct Impl;

private:
    explicit ConnectBroker(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mxc::lnx
