#pragma once
// Where to move a child that would otherwise take turns with its parent on
// the parent's CPU (the early init's launch child, the command standby), and
// whether there is anywhere else at all (init's poll for its orders).
#include <sched.h>

#include <optional>

namespace mxc::lnx {

struct OtherCpus {
    cpu_set_t allowed;    // the calling thread's CPUs, to be taken back later
    cpu_set_t elsewhere;  // those but the one it runs on now
};

// None when the calling thread may run on one CPU only, or the kernel does
// not say which CPUs it has or which one it is on.
std::optional<OtherCpus> other_cpus();

}  // namespace mxc::lnx
