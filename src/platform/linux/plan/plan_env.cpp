// The command's environment: exactly what [env] allows, nothing inherited by
// accident (a leaked token is the most common sandbox escape in practice).
#include <algorithm>
#include <map>
#include <utility>

#include "net/proxy_env.hpp"
#include "platform/linux/plan/plan.hpp"
#include "policy/env_glob.hpp"

namespace mxc::lnx {
namespace {

bool matches_any(const std::vector<policy::Sourced<std::string>>& globs, const std::string& name) {
    return std::any_of(globs.begin(), globs.end(),
                       [&](const auto& g) { return policy::env_glob_match(g.value, name); });
}

}  // namespace

std::vector<std::string> compile_env(const policy::EnvRules& rules,
                                     const std::vector<std::string>& caller_env,
                                     const std::string& session_id) {
    std::map<std::string, std::string> out;
    for (const auto& entry : caller_env) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        std::string name = entry.substr(0, eq);
        // First occurrence wins, as getenv() would see it.
        if (out.count(name) != 0) continue;
        if (matches_any(rules.pass, name) && !matches_any(rules.deny, name))
            out.emplace(name, entry.substr(eq + 1));
    }
    for (const auto& [name, value] : rules.set) out[name] = value.value;
    out["MXC_SESSION_ID"] = session_id;
    std::vector<std::string> env;
    env.reserve(out.size());
    for (const auto& [name, value] : out) {
        std::string entry = name;
        entry += '=';
        entry += value;
        env.push_back(std::move(entry));
    }
    return env;
}

void add_proxy_env(const ProxyPlan& proxy, std::vector<std::string>& env) {
    // Replaced, never merged: an inherited NO_PROXY=* or a stale HTTP_PROXY
    // would send traffic around the proxy, where the sandbox has no route.
    std::map<std::string, std::string> out;
    for (const auto& entry : env) {
        const auto eq = entry.find('=');
        out.emplace(entry.substr(0, eq), eq == std::string::npos ? std::string() : entry.substr(eq + 1));
    }
    for (const auto& [name, value] : net::proxy_env(proxy.port, proxy.no_proxy)) out[name] = value;
    env.clear();
    for (const auto& [name, value] : out) {
        std::string entry = name;
        entry += '=';
        entry += value;
        env.push_back(std::move(entry));
    }
}

void add_no_network_env(std::vector<std::string>& env) {
    // npm retries every failed lookup (ENOTFOUND included) twice with a
    // 10 s then 60 s back-off: 70 s before "npm install" fails under
    // network = "none", however fast the DNS stub refuses (mxc-profile(5), "Names").
    // Nothing can succeed on a retry there. A value the caller or [env] set
    // is kept (npm reads npm_config_* in any case).
    for (const auto& entry : env) {
        std::string name = entry.substr(0, entry.find('='));
        for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (name == "npm_config_fetch_retries") return;
    }
    env.emplace_back("npm_config_fetch_retries=0");
    std::sort(env.begin(), env.end(), [](const std::string& a, const std::string& b) {
        return a.substr(0, a.find('=')) < b.substr(0, b.find('='));
    });
}

}  // namespace mxc::lnx
