// TEMPORARY: replaced by the policy loader (issue 2). Delete when load.cpp lands.
#include "policy/policy.hpp"
namespace mxc::policy {
std::string Diagnostic::to_string() const { return where.describe() + ": error: " + message; }
const std::vector<BuiltinProfile>& builtin_profiles() { static const std::vector<BuiltinProfile> none; return none; }
std::vector<Diagnostic> check_profile(const std::string& p) { return {Diagnostic{{p, 0, 0, {}}, "loader not implemented", {}}}; }
Result<ResolvedPolicy> load_policy(const std::string&, const CliOverrides&, const ResolveContext&) { return make_error("loader not implemented"); }
Result<std::uint64_t> parse_size(std::string_view) { return make_error("not implemented"); }
Result<std::chrono::milliseconds> parse_duration(std::string_view) { return make_error("not implemented"); }
}  // namespace mxc::policy
