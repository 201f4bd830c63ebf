#pragma once
// What the supervisor sends a sandbox init that was cloned before the
// profile was loaded (early_init.hpp): the part of the plan init carries out,
// the command's argv and environment, and both seccomp filters. A forked init
// reads the supervisor's memory instead; an early one has only a copy of it
// from before the plan existed, so the plan crosses a pipe as bytes.
//
// The format is private to one mxc binary talking to itself (both ends are
// the same build): length-prefixed fields in a fixed order, checked for
// truncation on decode, never versioned or stored.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"
#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

struct SandboxSpec;

// The decoded side owns everything a SandboxSpec points into.
struct InitOrders {
    // Only what init and the command child read: uid, gid, new_net, proxy
    // (its port), broker (present or not), mounts, landlock, rlimits, cwd.
    LinuxPlan plan;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string path_env;
    BpfCode seccomp;
    BpfCode broker;  // empty: no broker filter
    bool report_steps = false;
    // Descriptors that come with the go-ahead (the v1 pids leaf's `tasks`
    // and its parent's, in that order): 0 or 2.
    std::uint32_t go_fds = 0;
};

// The go-ahead that follows the orders once the supervisor is ready for the
// command: this one byte, with the descriptors the orders announced.
inline constexpr char kGoAhead = 'g';

std::string encode_init_orders(const SandboxSpec& spec, std::uint32_t go_fds);
Result<InitOrders> decode_init_orders(std::string_view bytes);

}  // namespace mxc::lnx
