#include "platform/linux/apply/cpu_affinity.hpp"

namespace mxc::lnx {

std::optional<OtherCpus> other_cpus() {
    OtherCpus cpus{};
    const int here = ::sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE || ::sched_getaffinity(0, sizeof cpus.allowed, &cpus.allowed) != 0)
        return std::nullopt;
    CPU_OR(&cpus.elsewhere, &cpus.allowed, &cpus.allowed);
    CPU_CLR(here, &cpus.elsewhere);
    if (CPU_COUNT(&cpus.elsewhere) == 0) return std::nullopt;
    return cpus;
}

}  // namespace mxc::lnx
