#include "cli/resolve_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>

#ifndef _WIN32
#include <pwd.h>
#include <unistd.h>
#endif

#include "cli/managed_source.hpp"
#include "policy/paths.hpp"
#include "policy/tls_trust.hpp"

namespace mxc::cli {
namespace {

std::string home_directory() {
#ifdef _WIN32
    if (const char* p = std::getenv("USERPROFILE"); p != nullptr && *p != '\0') return p;
#else
    // $HOME is what the user's tools use; the passwd entry covers stripped
    // environments (cron, CI runners).
    if (const char* p = std::getenv("HOME"); p != nullptr && *p == '/') return p;
    if (passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
#endif
    return {};
}

// Only values that name something: a stale or relative setting adds no rule
// (the policy layer stays pure; existence is a fact of this host).
std::map<std::string, std::string> tls_trust_env() {
    namespace fs = std::filesystem;
    std::map<std::string, std::string> out;
    for (std::string_view name : policy::kTlsTrustVariables) {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr || !policy::is_absolute_path(value)) continue;
        std::error_code ec;
        if (fs::exists(fs::path(value), ec)) out.emplace(std::string(name), value);
    }
    return out;
}

}  // namespace

Result<policy::ResolveContext> make_resolve_context(const std::string& workspace_flag,
                                                    const std::string& session) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    if (ec) return make_error("cannot determine the current directory: " + ec.message());

    policy::ResolveContext ctx;
    ctx.precompiled = policy::precompiled_profiles();
    ctx.cwd = cwd.string();
    fs::path ws = workspace_flag.empty() ? cwd : fs::path(workspace_flag);
    if (ws.is_relative()) ws = cwd / ws;
    ws = ws.lexically_normal();
    if (!fs::is_directory(ws, ec)) {
        return make_error("workspace " + ws.string() +
                          " is not a directory (pass an existing directory with -w)");
    }
    ctx.workspace = ws.string();
    if (ctx.workspace.size() > 1 && (ctx.workspace.back() == '/' || ctx.workspace.back() == '\\')) {
        ctx.workspace.pop_back();
    }
    ctx.home = home_directory();
    if (ctx.home.empty()) return make_error("cannot determine the home directory: set HOME");
    ctx.tls_trust_env = tls_trust_env();
    ctx.tmp = (fs::temp_directory_path(ec) / ("mxc-" + session)).string();
    if (ec) ctx.tmp = "/tmp/mxc-" + session;
    auto managed = load_managed_policy();
    if (!managed) return managed.error();
    ctx.managed = std::move(*managed);
    return ctx;
}

}  // namespace mxc::cli
