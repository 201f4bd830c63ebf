#include "platform/linux/apply/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {

Status drop_capabilities() {
    for (int cap = 0; cap <= 63; ++cap) {
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break;  // past CAP_LAST_CAP of this kernel
            return sys_error("PR_CAPBSET_DROP " + std::to_string(cap));
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
