// TEMPORARY: replaced by the Linux backend (issue 3). Delete when it lands.
#include <cstdio>
#include "platform/platform.hpp"
namespace mxc::platform {
std::vector<Capability> probe_host() { return {}; }
std::vector<RuleVerdict> assess(const policy::ResolvedPolicy&) { return {}; }
int exec(const policy::ResolvedPolicy&, const ExecRequest&) { std::fputs("mxc: exec not implemented\n", stderr); return 125; }
const char* platform_name() { return "linux"; }
}  // namespace mxc::platform
