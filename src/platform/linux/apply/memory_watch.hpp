#pragma once
// limits.memory for the whole sandbox when no memory cgroup is delegated:
// RLIMIT_DATA binds each process, and the supervisor sums the resident memory
// of every process in the sandbox's pid namespace so that many processes
// under their own limit cannot add up to more than the limit.
#include <sys/types.h>

#include <cstdint>

#include "common/result.hpp"

namespace mxc::lnx {

// Resident bytes (statm's resident pages) of host pid `init` (the sandbox's
// pid 1) and all its descendants. Shared pages (libc) count once per
// process, so the sum errs high, never low. Reads only the kernel's /proc;
// processes that exit while it runs are skipped.
Result<std::uint64_t> sandbox_resident_bytes(pid_t init);

}  // namespace mxc::lnx
