// A run's filters: the precompiled table's bytes, or compiled now by
// libseccomp (seccomp_precompiled.hpp).
#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"

namespace mxc::lnx {

Result<BpfProgram> seccomp_program(const SeccompPlan& plan) {
    if (auto code = find_precompiled(seccomp_key(plan)); !code.empty()) return BpfProgram(code);
    auto compiled = compile_seccomp_bpf(plan);
    if (!compiled) return compiled.error();
    return BpfProgram(std::move(compiled).value());
}

Result<BpfProgram> broker_program(bool network, bool learning) {
    if (auto code = find_precompiled(broker_key(network, learning)); !code.empty()) return BpfProgram(code);
    auto compiled = compile_broker_bpf(network, learning);
    if (!compiled) return compiled.error();
    return BpfProgram(std::move(compiled).value());
}

}  // namespace mxc::lnx
