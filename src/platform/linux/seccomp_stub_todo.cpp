// TEMPORARY: replaced by seccomp_filter.cpp (issue 5). Delete when it lands.
#include "platform/linux/seccomp_filter.hpp"
namespace mxc::lnx {
SeccompPlan compile_seccomp(const policy::ResolvedPolicy&) { return {}; }
Status apply_seccomp(const SeccompPlan&) { return make_error("seccomp not implemented"); }
std::vector<std::string> describe(const SeccompPlan&) { return {}; }
}  // namespace mxc::lnx
