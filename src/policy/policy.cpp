// Public entry points (policy.hpp); the work happens in resolve.cpp.
#include <cstdlib>
#include <filesystem>

#include "policy/resolve.hpp"

namespace mxc::policy {
namespace {

// `mxc check` validates the profile, not the environment: variables get
// plausible values so a profile using {home} checks the same on a CI box
// without HOME.
ResolveContext check_context() {
    namespace fs = std::filesystem;
    std::error_code ec;
    ResolveContext ctx;
    ctx.cwd = fs::current_path(ec).generic_string();
    if (ec || ctx.cwd.empty()) ctx.cwd = "/";
    ctx.workspace = ctx.cwd;
    const char* home = std::getenv("HOME");
    ctx.home = (home != nullptr && *home != '\0') ? home : "/home/mxc-check";
    ctx.tmp = "/tmp/mxc-check";
    return ctx;
}

Result<ResolvedPolicy> to_result(Resolution r) {
    if (r.policy) return std::move(*r.policy);
    std::string message;
    for (const auto& d : r.diagnostics) message += (message.empty() ? "" : "\n") + d.to_string();
    if (message.empty()) message = "profile could not be resolved";
    return make_error(std::move(message));
}

}  // namespace

std::vector<Diagnostic> check_profile(const std::string& name_or_path) {
    return resolve(name_or_path, std::nullopt, CliOverrides{}, check_context()).diagnostics;
}

std::vector<Diagnostic> check_profile_text(std::string_view toml, const std::string& file_name) {
    return resolve(file_name, toml, CliOverrides{}, check_context()).diagnostics;
}

Result<ResolvedPolicy> load_policy(const std::string& name_or_path, const CliOverrides& cli,
                                   const ResolveContext& ctx) {
    return to_result(resolve(name_or_path, std::nullopt, cli, ctx));
}

Result<ResolvedPolicy> load_policy_text(std::string_view toml, const std::string& file_name,
                                        const CliOverrides& cli, const ResolveContext& ctx) {
    return to_result(resolve(file_name, toml, cli, ctx));
}

}  // namespace mxc::policy
