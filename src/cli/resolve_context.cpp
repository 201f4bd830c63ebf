#include "cli/resolve_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#ifndef _WIN32
#include <pwd.h>
#include <unistd.h>
#endif

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

}  // namespace

Result<policy::ResolveContext> make_resolve_context(const std::string& workspace_flag,
                                                    const std::string& session) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    if (ec) return make_error("cannot determine the current directory: " + ec.message());

    policy::ResolveContext ctx;
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
    ctx.tmp = (fs::temp_directory_path(ec) / ("mxc-" + session)).string();
    if (ec) ctx.tmp = "/tmp/mxc-" + session;
    return ctx;
}

}  // namespace mxc::cli
