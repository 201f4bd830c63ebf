#pragma once
// The mxc side of a run: clone the sandbox, relay signals, enforce wall_time,
// collect the exit status and resource usage.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net/egress_proxy.hpp"
#include "platform/linux/plan/plan.hpp"
#include "platform/linux/plan/seccomp_plan.hpp"

namespace mxc::lnx {

struct RunOutcome {
    int exit_code = 125;                // what mxc exits with
    int status = 0;                     // command's exit status (when exited)
    int signal = 0;                     // signal that killed the command (0 if none)
    std::string reason = "exited";      // exited | signaled | timeout | limit | parent-died
    std::string error;                  // one-line reason when exit_code is mxc's own (125/126/127)
    std::vector<std::string> warnings;  // from the sandbox (e.g. seccomp)
    std::uint64_t wall_ms = 0;
    std::uint64_t cpu_ms = 0;
    std::uint64_t max_rss_kb = 0;
    std::vector<std::string> layer_writes;  // learning: paths left in the throwaway layer
};

class LearnTracer;
class EarlyInit;

// Called once before the command may exist: the integrity guards' snapshot
// and the audit start event (platform_linux.cpp). With an early init it runs
// after init got its orders, while init builds the mount tree, and init
// waits for it before it forks the command; otherwise before clone.
using BeforeCommand = std::function<void()>;

// `on_net` receives the egress proxy's decisions (allowlist mode only), on
// the proxy thread; it may be empty. `tracer`: learning plans only (it
// records the path calls; docs/design.md "Learning sandbox"). `early`: an
// init cloned before the plan existed (early_init.hpp), used when it fits
// the plan and ended otherwise; null clones one here.
RunOutcome run_sandbox(const LinuxPlan& plan, const SeccompPlan& seccomp,
                       const std::vector<std::string>& argv, net::EgressProxy::NetCallback on_net = {},
                       LearnTracer* tracer = nullptr, EarlyInit* early = nullptr,
                       const BeforeCommand& before_command = {});

}  // namespace mxc::lnx
