#include "policy/cli_layer.hpp"

#include "net/host_rule.hpp"
#include "net/public_suffix.hpp"
#include "policy/env_glob.hpp"
#include "policy/layer.hpp"
#include "policy/validate.hpp"

namespace mxc::policy {
namespace {

Origin flag(const char* name) {
    return Origin{{}, 0, 0, name};
}

class CliLayer {
public:
    CliLayer(const PathVars& vars, const std::string& cwd, std::vector<Diagnostic>& out)
        : vars_(vars), cwd_(cwd), out_(out) {}

    Layer build(const CliOverrides& cli) {
        paths(cli.allow_read, Access::Read, "--allow-read");
        paths(cli.allow_write, Access::Write, "--allow-write");
        paths(cli.deny, Access::Deny, "--deny");
        for (const auto& text : cli.allow_net) {
            auto rule = net::parse_host_rule(text);
            if (!rule) {
                error("--allow-net", rule.error().message);
                continue;
            }
            if (auto problem = net::public_suffix_problem(*rule)) {
                error("--allow-net", *problem, net::kPublicSuffixHint);
                continue;
            }
            layer_.net_allow.push_back(HostRuleEntry{text, flag("--allow-net"), std::move(rule).value()});
        }
        for (const auto& text : cli.allow_unix) {
            auto path = expand_cli_path(text, vars_, cwd_);
            if (!path) {
                error("--allow-unix", path.error().message);
                continue;
            }
            if (auto bad = unix_socket_rule_problem(text, *path)) {
                error("--allow-unix", *bad, kUnixSocketRuleHint);
                continue;
            }
            layer_.net_unix.push_back({*path, flag("--allow-unix")});
        }
        if (cli.net_mode) {
            if (auto mode = net_mode_from(*cli.net_mode)) {
                layer_.net_mode = Sourced<NetMode>{*mode, flag("--net")};
            } else {
                error("--net", "invalid mode \"" + *cli.net_mode + "\"", "use none, allowlist or host");
            }
        }
        for (const auto& text : cli.env) env(text);
        if (cli.memory) memory(*cli.memory);
        if (cli.timeout) {
            auto ms = parse_duration(*cli.timeout);
            if (!ms) {
                error("--timeout", ms.error().message);
            } else if (ms->count() == 0) {
                error("--timeout", "the timeout must be greater than zero");
            } else {
                layer_.limits.wall_time = Sourced<std::chrono::milliseconds>{*ms, flag("--timeout")};
            }
        }
        if (cli.agent) {
            if (auto bad = agent_name_problem(*cli.agent)) {
                error("--agent", *bad, kAgentNameHint);
            } else {
                layer_.agent_id = Sourced<std::string>{*cli.agent, flag("--agent")};
            }
        }
        // The flag can only turn best-effort on: absence means "as the profile says".
        if (cli.best_effort) layer_.best_effort = Sourced<bool>{true, flag("--best-effort")};
        return layer_;
    }

private:
    void error(const char* name, std::string what, std::string hint = {}) {
        out_.push_back(Diagnostic{flag(name), std::move(what), std::move(hint)});
    }

    void paths(const std::vector<std::string>& entries, Access access, const char* name) {
        for (const auto& text : entries) {
            auto path = expand_cli_path(text, vars_, cwd_);
            if (!path) {
                error(name, path.error().message);
                continue;
            }
            layer_.paths.push_back(PathRule{*path, access, flag(name)});
        }
    }

    void memory(const std::string& text) {
        if (text == "unlimited") {
            layer_.limits.memory_bytes = Sourced<std::uint64_t>{kUnlimitedBytes, flag("--memory")};
            return;
        }
        auto bytes = parse_size(text);
        if (!bytes) {
            error("--memory", bytes.error().message, "use a size (\"512MiB\", \"4GiB\") or \"unlimited\"");
        } else if (*bytes == 0) {
            error("--memory", "the limit must be greater than zero", "use --memory unlimited to lift it");
        } else {
            layer_.limits.memory_bytes = Sourced<std::uint64_t>{*bytes, flag("--memory")};
        }
    }

    // "NAME" passes the caller's value; "NAME=VALUE" sets it verbatim (the
    // shell has already expanded it). A set value is not subject to
    // [env].deny, so `--env GITHUB_TOKEN="$GITHUB_TOKEN"` is the explicit way
    // to hand one secret to one run.
    void env(const std::string& text) {
        auto eq = text.find('=');
        std::string name = text.substr(0, eq);
        if (eq == std::string::npos) {
            if (!valid_env_pattern(name)) {
                error("--env", "invalid variable name \"" + name + "\"", "use NAME or NAME=VALUE");
                return;
            }
            layer_.env_pass.push_back({name, flag("--env")});
            return;
        }
        if (!valid_env_name(name)) {
            error("--env", "invalid variable name \"" + name + "\"", "use NAME or NAME=VALUE");
            return;
        }
        layer_.env_set.push_back({name, Sourced<std::string>{text.substr(eq + 1), flag("--env")}});
    }

    const PathVars& vars_;
    const std::string& cwd_;
    std::vector<Diagnostic>& out_;
    Layer layer_;
};

// `--env NAME` for a name that [env].deny removes would pass nothing, and the
// user would find out only when the tool inside misses its variable.
void refuse_denied_env_passes(const Layer& layer, const EnvRules& env, std::vector<Diagnostic>& diagnostics) {
    for (const auto& pass : layer.env_pass) {
        const std::string& name = pass.value;
        if (name.find_first_of("*?[") != std::string::npos) continue;  // a glob passes what deny leaves
        for (const auto& deny : env.deny) {
            if (!env_glob_match(deny.value, name)) continue;
            std::string what = "--env " + name;
            what.append(" passes nothing: [env].deny \"").append(deny.value).append("\" (");
            what.append(deny.origin.describe()).append(") removes it");
            std::string hint = "to give this run its value anyway, use --env " + name;
            hint.append("=\"$").append(name).append("\"");
            diagnostics.push_back(Diagnostic{pass.origin, std::move(what), std::move(hint)});
            break;
        }
    }
}

}  // namespace

void apply_cli_overrides(ResolvedPolicy& policy, const CliOverrides& cli, const PathVars& vars,
                         const std::string& cwd, std::vector<Diagnostic>& diagnostics) {
    Layer layer = CliLayer(vars, cwd, diagnostics).build(cli);
    for (auto& rule : layer.paths) rule.missing = policy.missing;
    merge_layer(policy, layer);
    refuse_denied_env_passes(layer, policy.env, diagnostics);
    if (cli.allow_net.empty()) return;
    if (cli.net_mode && policy.network.mode.value == NetMode::None) {
        diagnostics.push_back(Diagnostic{flag("--allow-net"), "--allow-net has no effect with --net none",
                                         "drop one of the two flags"});
        return;
    }
    // Asking for a host is asking for the network: a profile's "none" becomes
    // an allowlist of exactly the flagged hosts (plus the profile's own).
    if (policy.network.mode.value == NetMode::None) {
        policy.network.mode = Sourced<NetMode>{NetMode::Allowlist, flag("--allow-net")};
    }
}

}  // namespace mxc::policy
