#pragma once
// Reading a whole small file the kernel provides (/proc, cgroupfs, sysctls)
// or the host's own configuration (/etc/nsswitch.conf): the one helper for
// what cgroup, pids_cgroup, host_facts and the resolver each read.
// Not for files a sandbox could have written: those go through
// integrity/nofollow_fs.hpp, which refuses links.
#include <fstream>
#include <sstream>
#include <string>

namespace mxc {

// The file's bytes; "" when it cannot be opened or read (a missing
// controller file, a sysctl this kernel lacks). Inline: GCC 12 reports a
// false -Wrestrict in its callers when the string comes from out of line.
inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace mxc
