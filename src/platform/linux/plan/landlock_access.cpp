// Names of Landlock access rights, for plan text and error messages (in
// their own file: mxc-init's Landlock errors name them without linking the
// plan compiler).
#include <cstdint>
#include <string>

#include "platform/linux/plan/plan.hpp"

namespace mxc::lnx {

std::string describe_landlock_access(std::uint64_t access) {
    static constexpr const char* kNames[] = {"execute",    "write_file",  "read_file", "read_dir",
                                             "remove_dir", "remove_file", "make_char", "make_dir",
                                             "make_reg",   "make_sock",   "make_fifo", "make_block",
                                             "make_sym",   "refer",       "truncate",  "ioctl_dev"};
    std::string out;
    for (unsigned i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
        if ((access & (1ULL << i)) != 0) out += (out.empty() ? "" : ",") + std::string(kNames[i]);
    }
    return out.empty() ? "none" : out;
}

}  // namespace mxc::lnx
