// TEMPORARY minimal body; the full writer lands with the foundation issue.
#include "audit/audit_log.hpp"
namespace mxc::audit {
Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string&, std::string, std::string) { return make_error("audit not implemented"); }
AuditLog::~AuditLog() = default;
void AuditLog::start(const StartEvent&) {}
void AuditLog::net(const NetEvent&) {}
void AuditLog::exit(const ExitEvent&) {}
std::string new_session_id() { return "0"; }
}  // namespace mxc::audit
