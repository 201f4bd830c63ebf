#include "platform/linux/apply/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "platform/linux/apply/raw_syscall.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {

long empty_bounding_set() {
    for (long cap = 0; cap <= 63; ++cap) {
        const long r = raw(SYS_prctl, PR_CAPBSET_DROP, cap);
        if (r == -EINVAL) break;  // past CAP_LAST_CAP of this kernel
        if (r < 0) return r;
    }
    return 0;
}

Status drop_capabilities(bool bounding_set_emptied) {
    if (!bounding_set_emptied) {
        if (const long r = empty_bounding_set(); r < 0) {
            errno = static_cast<int>(-r);
            return sys_error("PR_CAPBSET_DROP");
        }
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        return sys_error("PR_CAP_AMBIENT_CLEAR_ALL");
    }
    struct __user_cap_header_struct header {};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    struct __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capset, &header, data) != 0) return sys_error("capset(0)");
    return {};
}

}  // namespace mxc::lnx
