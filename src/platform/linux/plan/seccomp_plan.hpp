#pragma once
// The default seccomp filter (docs/design.md "Enforcement") as data: which
// system calls are denied, and which groups a profile allowed back. Pure
// (unit-tested); apply/seccomp_filter.hpp compiles it to BPF with libseccomp.
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "policy/model.hpp"

namespace mxc::lnx {

// One argument test: the rule matches when (arg[index] & mask) == value.
// Every comparison is masked because the kernel truncates `int` arguments to
// 32 bits: an unmasked 64-bit compare would let a caller set high bits that
// the kernel ignores and slip past the filter.
struct SeccompArg {
    unsigned index = 0;
    std::uint64_t mask = 0;
    std::uint64_t value = 0;
    bool operator==(const SeccompArg&) const = default;
};

struct SeccompRule {
    std::string group;             // kSeccompGroups name, or "always" for never-allowable rules
    std::string syscall;           // e.g. "ioctl"
    std::string condition;         // human-readable argument condition, e.g. "arg1 == TIOCSTI"; "" = any
    std::vector<SeccompArg> args;  // all must match (AND); empty = every call
    int errno_value = EPERM;       // what the call returns instead of running
};

struct SeccompPlan {
    std::vector<SeccompRule> denied;        // each returns errno_value (EPERM, or ENOSYS for clone3)
    std::vector<std::string> allowed_back;  // groups the profile allowed
};

SeccompPlan compile_seccomp(const policy::ResolvedPolicy& policy);

// The rule as describe() and apply_seccomp's errors name it, e.g.
// "ioctl [request == TIOCSTI]".
std::string rule_text(const SeccompRule& rule);

// One line per rule, for --dry-run and `mxc explain`.
std::vector<std::string> describe(const SeccompPlan& plan);

}  // namespace mxc::lnx
