#pragma once
// Internal: one compiler function per Windows mechanism. Each appends what it
// plans to `plan` and one verdict per rule it is responsible for.
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win::detail {

void plan_isolation(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan);
void plan_job(const policy::ResolvedPolicy& policy, WindowsPlan& plan);
void plan_acl(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan);
void plan_wfp(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan);

void add_verdict(WindowsPlan& plan, std::string rule, const policy::Origin& origin, std::string mechanism);
void add_unenforceable(WindowsPlan& plan, std::string rule, const policy::Origin& origin,
                       std::string mechanism, std::string missing);
// Not applied as written: printed at launch and recorded in the audit log.
void add_warning(WindowsPlan& plan, std::string rule, const policy::Origin& origin, std::string mechanism,
                 std::string reason);
std::string hex32(std::uint32_t v);

}  // namespace mxc::platform::win::detail
