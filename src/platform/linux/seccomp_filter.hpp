#pragma once
// The default seccomp filter (DESIGN.md "Enforcement"), built with libseccomp.
// compile_seccomp is pure (unit-tested); apply_seccomp is the last step in the
// child before execve, after PR_SET_NO_NEW_PRIVS.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "policy/model.hpp"

namespace mxc::lnx {

struct SeccompRule {
    std::string group;    // kSeccompGroups name, or "always" for never-allowable rules
    std::string syscall;  // e.g. "ioctl"
    std::string condition;  // human-readable argument condition, e.g. "arg1 == TIOCSTI"; "" = any
};

struct SeccompPlan {
    std::vector<SeccompRule> denied;   // each returns EPERM
    std::vector<std::string> allowed_back;  // groups the profile allowed
};

SeccompPlan compile_seccomp(const policy::ResolvedPolicy& policy);

// Loads the filter into the calling thread (and so its future children).
// Requires no_new_privs already set. Returns an error naming what failed.
Status apply_seccomp(const SeccompPlan& plan);

// One line per rule, for --dry-run and `mxc explain`.
std::vector<std::string> describe(const SeccompPlan& plan);

}  // namespace mxc::lnx
