#include "platform/linux/apply/limits.hpp"

#include <sys/resource.h>

#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {

Status apply_rlimits(const std::vector<RlimitSetting>& limits) {
    for (const auto& l : limits) {
        struct rlimit rl {};
        rl.rlim_cur = l.value;
        rl.rlim_max = l.value;
        if (l.resource == RLIMIT_CPU) {
            // SIGXCPU at the soft limit, SIGKILL one second later if ignored.
            rl.rlim_max = l.value + 1;
        }
        struct rlimit old {};
        if (::getrlimit(static_cast<__rlimit_resource>(l.resource), &old) == 0 &&
            old.rlim_max != RLIM_INFINITY) {
            // Without CAP_SYS_RESOURCE in the initial namespace a hard limit
            // can only go down; the caller's tighter limit stays in force.
            if (rl.rlim_max > old.rlim_max) rl.rlim_max = old.rlim_max;
            if (rl.rlim_cur > rl.rlim_max) rl.rlim_cur = rl.rlim_max;
        }
        if (::setrlimit(static_cast<__rlimit_resource>(l.resource), &rl) != 0) {
            return sys_error("setrlimit " + l.name + " = " + std::to_string(l.value) + " (" + l.why + ")");
        }
    }
    return {};
}

}  // namespace mxc::lnx
