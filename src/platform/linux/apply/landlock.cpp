// Raw Landlock syscalls: libc has no wrappers and distribution headers lag
// the kernel, so the structs are declared here with their kernel layout.
#include "platform/linux/apply/landlock.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

// Kernel struct landlock_ruleset_attr, ABI 6 layout. Older kernels accept it
// as long as the fields they do not know are zero.
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;
    std::uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
    std::uint64_t allowed_access;
    std::int32_t parent_fd;
};

constexpr int kRulePathBeneath = 1;

}  // namespace

Status apply_landlock(const LandlockPlan& plan) {
    if (!plan.enabled) return {};
    RulesetAttr attr{plan.handled_fs, plan.handled_net, plan.scoped};
    // Size by ABI so an older kernel never sees fields it cannot parse.
    std::size_t size = plan.abi >= 6 ? sizeof attr : plan.abi >= 4 ? 16 : 8;
    UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0U)));
    if (!ruleset.valid()) return sys_error("landlock_create_ruleset (ABI " + std::to_string(plan.abi) + ")");
    for (const auto& rule : plan.rules) {
        UniqueFd fd(::open(rule.path.c_str(), O_PATH | O_CLOEXEC));
        if (!fd.valid()) return sys_error("landlock: open", rule.path + " (" + rule.why + ")");
        PathBeneathAttr pb{rule.access, fd.get()};
        if (::syscall(SYS_landlock_add_rule, ruleset.get(), kRulePathBeneath, &pb, 0U) != 0) {
            return sys_error("landlock_add_rule " + describe_landlock_access(rule.access) + " on", rule.path);
        }
    }
    if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0U) != 0)
        return sys_error("landlock_restrict_self");
    return {};
}

}  // namespace mxc::lnx
