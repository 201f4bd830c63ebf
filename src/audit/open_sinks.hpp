#pragma once
// Opens every audit sink a run writes to (issue 15): the caller's --audit,
// the profile's [audit] and the managed policy's [audit], each once.
#include <memory>
#include <string>

#include "audit/audit_log.hpp"
#include "common/result.hpp"
#include "policy/model.hpp"

namespace mxc::audit {

// nullptr (and no error) when no sink is named. A sink that cannot be opened
// fails the run: the error names the sink and where it was set. A profile's
// or managed file sink (and a syslog socket other than /dev/log) must not lie
// in an area the sandbox can write (policy/writable_areas.hpp): the run
// could otherwise replace or read the log it is audited by.
// `caller_path` is --audit as given ("" = none, "-" = stderr), relative to `cwd`.
Result<std::unique_ptr<AuditLog>> open_audit_log(const policy::ResolvedPolicy& policy,
                                                 const std::string& caller_path, const std::string& cwd,
                                                 const std::string& session);

}  // namespace mxc::audit
