#include "cli/run_setup.hpp"

#include <filesystem>

#include "cli/resolve_context.hpp"

namespace mxc::cli {

Result<PreparedRun> prepare_run(const PolicyOptions& options, const std::vector<std::string>& command,
                                const std::string& cwd_flag, const std::string& session) {
    auto ctx = make_resolve_context(options.workspace, session);
    if (!ctx) return make_error("mxc: " + ctx.error().message);
    auto policy = policy::load_policy(options.profile, options.overrides, *ctx);
    if (!policy) return policy.error();

    PreparedRun run{*ctx, std::move(policy).value(), {}};
    platform::ExecRequest& request = run.request;
    request.argv = command;
    request.cwd = ctx->cwd;
    if (!cwd_flag.empty()) {
        std::filesystem::path dir(cwd_flag);
        if (dir.is_relative()) dir = std::filesystem::path(ctx->cwd) / dir;
        request.cwd = dir.lexically_normal().string();
        if (request.cwd.size() > 1 && request.cwd.back() == '/') request.cwd.pop_back();
    } else if (!options.workspace.empty()) {
        request.cwd_fallback = ctx->workspace;
    }
    request.session_id = session;
    return run;
}

}  // namespace mxc::cli
