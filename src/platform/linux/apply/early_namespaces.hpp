#pragma once
// The sandbox's user, mount, IPC and network namespaces, made by a small
// holder process while the front end still reads the profile, so that their
// cost (the network namespace's above all) is off the launch's critical path
// (docs/design.md, "Startup budget"). Sandbox init later joins them and starts
// its own pid namespace; a plan they do not fit is launched the usual way.
#include <sys/types.h>

#include <memory>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "platform/linux/plan/plan.hpp"
#include "platform/platform.hpp"

namespace mxc::lnx {

class EarlyNamespaces final : public platform::EarlyStart {
public:
    // Forks the holder. Null when it cannot be forked; a holder that fails
    // later (no user namespaces here) is reported by spawn_init.
    static std::unique_ptr<EarlyNamespaces> start();
    ~EarlyNamespaces() override;  // ends the holder and reaps it
    EarlyNamespaces(const EarlyNamespaces&) = delete;
    EarlyNamespaces& operator=(const EarlyNamespaces&) = delete;

    // The plan's namespaces are exactly these: its own network namespace, the
    // caller's ids, no cgroup v2 leaf (that needs CLONE_INTO_CGROUP from this
    // process) and not a learning run.
    [[nodiscard]] bool fits(const LinuxPlan& plan) const;

    // Starts sandbox init in the holder's namespaces: a child of this process
    // and pid 1 of a new pid namespace, which runs `init_main(arg)` on a copy
    // of this process (it never returns). Then lets the holder go: init holds
    // the namespaces from now on. The caller must be single-threaded.
    Result<pid_t> spawn_init(void (*init_main)(void*), void* arg);

    // In init: drops the fds that tie it to the holder.
    void close_in_init();

private:
    EarlyNamespaces(pid_t holder, UniqueFd pidfd, UniqueFd hold, UniqueFd ready, unsigned uid, unsigned gid)
        : holder_(holder),
          pidfd_(std::move(pidfd)),
          hold_(std::move(hold)),
          ready_(std::move(ready)),
          uid_(uid),
          gid_(gid) {}
    Status wait_ready();

    pid_t holder_;
    UniqueFd pidfd_;  // the holder, for setns(2)
    UniqueFd hold_;   // write end: the holder exits when it closes
    UniqueFd ready_;  // read end: one status byte once the namespaces exist
    unsigned uid_;
    unsigned gid_;
};

}  // namespace mxc::lnx
