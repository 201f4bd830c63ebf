#include "platform/linux/apply/user_ns.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

Status write_proc(const char* path, const std::string& text) {
    UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return sys_error("open", path);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        return sys_error("write \"" + text.substr(0, text.find('\n')) + "\" to", path);
    }
    return {};
}

}  // namespace

std::string own_id_map(unsigned id) {
    return std::to_string(id) + " " + std::to_string(id) + " 1\n";
}

Status map_own_ids(unsigned uid, unsigned gid) {
    // An unprivileged process may only write gid_map after giving up
    // setgroups(2), otherwise it could drop a group that denies it access.
    MXC_TRY(write_proc("/proc/self/setgroups", "deny"));
    MXC_TRY(write_proc("/proc/self/uid_map", own_id_map(uid)));
    MXC_TRY(write_proc("/proc/self/gid_map", own_id_map(gid)));
    return {};
}

}  // namespace mxc::lnx
