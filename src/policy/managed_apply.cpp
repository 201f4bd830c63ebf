// The managed layer applied to a resolved policy (docs/managed.md): first
// every refusal (profile list, best effort, network mode and ceiling), then
// the denies and the limit ceilings, each change recorded for explain.
#include <algorithm>

#include "net/host_rule.hpp"
#include "policy/env_glob.hpp"
#include "policy/layer.hpp"
#include "policy/managed.hpp"
#include "policy/paths.hpp"
#include "policy/validate.hpp"

namespace mxc::policy {
namespace {

std::string format_count(std::uint64_t n) {
    return std::to_string(n);
}

// `name` is a strict subdomain of `suffix` ("a.x.com" of "x.com").
bool subdomain_of(const std::string& name, const std::string& suffix) {
    return name.size() > suffix.size() + 1 &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
           name[name.size() - suffix.size() - 1] == '.';
}

// Every host `p` names is named by `m` (ports aside).
bool hosts_inside(const net::HostRule& p, const net::HostRule& m) {
    using Kind = net::HostRule::Kind;
    switch (p.kind) {
        case Kind::Exact:
            return (m.kind == Kind::Exact && m.host == p.host) ||
                   (m.kind == Kind::Wildcard && subdomain_of(p.host, m.host));
        case Kind::Wildcard:
            return m.kind == Kind::Wildcard && (m.host == p.host || subdomain_of(p.host, m.host));
        case Kind::Cidr: {
            if (m.kind != Kind::Cidr || m.net.prefix > p.net.prefix) return false;
            net::IpAddr first;
            first.bytes = p.net.addr;
            return net::net_contains(m.net, first);
        }
    }
    return false;
}

// Every port of `p` is a port of one of `covers`.
bool ports_inside(const net::PortSet& p, const std::vector<const net::PortSet*>& covers) {
    if (std::any_of(covers.begin(), covers.end(), [](const net::PortSet* c) { return c->any; })) return true;
    if (p.any || covers.empty()) return false;
    const std::vector<std::uint16_t> wanted = p.ports.empty() ? std::vector<std::uint16_t>{80, 443} : p.ports;
    return std::all_of(wanted.begin(), wanted.end(), [&](std::uint16_t port) {
        return std::any_of(covers.begin(), covers.end(),
                           [&](const net::PortSet* c) { return c->contains(port); });
    });
}

std::string joined(const std::vector<Sourced<std::string>>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i.value;
    return out;
}

class Applier {
public:
    Applier(ResolvedPolicy& policy, const ManagedPolicy& managed, std::vector<Diagnostic>& out)
        : p_(policy), m_(managed), out_(out) {
        summary_.path = managed.path;
        summary_.sha256 = managed.sha256;
    }

    void refusals(const Layer& layer) {
        profile_list();
        if (m_.best_effort_forbidden && p_.best_effort.value) {
            error(p_.best_effort.origin,
                  "best effort is forbidden by the managed policy (" + m_.best_effort_forbidden->describe() +
                      ")",
                  "remove best_effort = true / --best-effort: rules this host cannot enforce then refuse the "
                  "run");
        }
        network_mode();
        ceiling(layer);
    }

    void apply(const Layer& layer) {
        if (m_.best_effort_forbidden) rule("policy.best_effort forbidden", *m_.best_effort_forbidden);
        if (m_.profiles) {
            for (const auto& e : *m_.profiles) rule("policy.profiles " + e.value, e.origin);
        }
        if (m_.max_mode)
            network_rule(std::string("network.max_mode ") + to_string(m_.max_mode->value),
                         m_.max_mode->origin);
        for (const auto& a : layer.net_allow) network_rule("network.allow (ceiling) " + a.value, a.origin);
        denies(layer);
        limits(layer.limits);
        if (m_.audit) {
            std::string text = std::string("audit.sink ") + to_string(m_.audit->sink.value);
            if (m_.audit->path) text += " " + m_.audit->path->value;
            rule(text, m_.audit->sink.origin);
            p_.managed_audit = m_.audit;
        }
        p_.managed = std::move(summary_);
    }

private:
    void error(const Origin& where, std::string what, std::string hint) {
        out_.push_back(Diagnostic{where, std::move(what), std::move(hint)});
    }
    void rule(std::string text, const Origin& origin) {
        summary_.rules.emplace_back(std::move(text), origin);
    }
    void network_rule(std::string text, const Origin& origin) {
        if (!summary_.network_rule) summary_.network_rule.emplace(text, origin);
        rule(std::move(text), origin);
    }
    void change(std::string rule_text, const Origin& origin, std::string action, const Origin& by) {
        summary_.changes.push_back(ManagedChange{std::move(rule_text), origin, std::move(action), by});
    }

    void profile_list() {
        if (!m_.profiles) return;
        const std::string builtin = p_.source.rfind("builtin:", 0) == 0 ? p_.source.substr(8) : "";
        const std::string sha256 = chain_sha256(p_);
        for (const auto& e : *m_.profiles) {
            if (e.value == "sha256:" + sha256) return;
            if (!builtin.empty() && e.value == builtin) return;
        }
        const Origin& list =
            m_.profiles->empty() ? Origin{m_.display, 0, 0, {}} : m_.profiles->front().origin;
        error(Origin{p_.source, 0, 0, {}},
              "profile " + p_.source + " (sha256:" + sha256 + ") is not in the managed policy's profiles (" +
                  list.describe() + ")",
              "allowed: " + (m_.profiles->empty() ? std::string("none") : joined(*m_.profiles)) +
                  "; ask the administrator to add it");
    }

    void network_mode() {
        // A host ceiling leaves no room for "host" mode, which reaches every host.
        std::optional<Sourced<NetMode>> max = m_.max_mode;
        if (!max && m_.net_allow_key) max = Sourced<NetMode>{NetMode::Allowlist, *m_.net_allow_key};
        if (!max || p_.network.mode.value <= max->value) return;
        error(p_.network.mode.origin,
              std::string("[network].mode \"") + to_string(p_.network.mode.value) +
                  "\" is above the managed maximum \"" + to_string(max->value) + "\" (" +
                  max->origin.describe() + ")",
              max->value == NetMode::None ? "the managed policy allows no network: use mode = \"none\""
                                          : "use mode = \"allowlist\" with hosts the managed policy allows");
    }

    // `layer`: the managed policy's own rules, parsed by its validation.
    void ceiling(const Layer& layer) {
        // Mode "none" uses no allow rule; "host" was refused above.
        if (!m_.net_allow_key || p_.network.mode.value != NetMode::Allowlist) return;
        std::vector<net::HostRule> managed;
        for (const auto& a : layer.net_allow) {
            if (a.parsed) managed.push_back(*a.parsed);
        }
        for (const auto& a : p_.network.allow) {
            if (a.parsed && host_rule_inside(*a.parsed, managed)) continue;
            error(a.origin,
                  "[network].allow \"" + a.value + "\" is outside the managed ceiling (" +
                      m_.net_allow_key->describe() + ")",
                  "the managed policy allows only: " +
                      (m_.raw.net_allow.empty() ? std::string("no host") : joined(m_.raw.net_allow)));
        }
    }

    void denies(const Layer& layer) {
        for (const auto& d : layer.paths) {
            rule(std::string("filesystem.deny ") + d.path, d.origin);
            // A rule on the path or below it would win by being as or more
            // specific (docs/design.md, path precedence): it goes.
            for (auto it = p_.paths.begin(); it != p_.paths.end();) {
                if (it->access != Access::Deny && is_same_or_under(it->path, d.path)) {
                    if (!it->protect)
                        change(std::string("filesystem.") + to_string(it->access) + " " + it->path,
                               it->origin, "removed", d.origin);
                    it = p_.paths.erase(it);
                } else if (it->path == d.path) {
                    it = p_.paths.erase(it);  // the profile's own deny: explain names the managed one
                } else {
                    ++it;
                }
            }
            for (auto it = p_.network.unix_sockets.begin(); it != p_.network.unix_sockets.end();) {
                if (is_same_or_under(it->value, d.path)) {
                    change("network.unix " + it->value, it->origin, "removed", d.origin);
                    it = p_.network.unix_sockets.erase(it);
                } else {
                    ++it;
                }
            }
            PathRule deny = d;
            deny.missing = Sourced<MissingPaths>{MissingPaths::Ignore, d.origin};
            p_.paths.push_back(std::move(deny));
        }
        finish_paths(p_);
        for (const auto& d : layer.net_deny) {
            network_rule("network.deny " + d.value, d.origin);
            const bool seen = std::any_of(p_.network.deny.begin(), p_.network.deny.end(),
                                          [&](const HostRuleEntry& x) { return x.value == d.value; });
            if (!seen) p_.network.deny.push_back(d);
        }
        for (const auto& d : layer.env_deny) {
            rule("env.deny " + d.value, d.origin);
            // An explicit value is no leak of the caller's, but the
            // administrator said this name never reaches the sandbox.
            for (auto it = p_.env.set.begin(); it != p_.env.set.end();) {
                if (env_glob_match(d.value, it->first)) {
                    change("env.set " + it->first, it->second.origin, "removed", d.origin);
                    it = p_.env.set.erase(it);
                } else {
                    ++it;
                }
            }
            p_.env.deny.push_back(d);
        }
    }

    template <class T, class Format>
    void cap(const char* key, std::optional<Sourced<T>>& have, const std::optional<Sourced<T>>& max,
             Format format) {
        if (!max) return;
        rule(std::string("limits.") + key + " <= " + format(max->value), max->origin);
        if (!have) {
            change(std::string("limits.") + key + " unlimited", Origin{}, "set to " + format(max->value),
                   max->origin);
            have = max;
        } else if (have->value > max->value) {
            change(std::string("limits.") + key + " " + format(have->value), have->origin,
                   "capped to " + format(max->value), max->origin);
            have = max;
        }
    }

    void limits(const Limits& max) {
        cap("memory", p_.limits.memory_bytes, max.memory_bytes, format_size);
        cap("processes", p_.limits.processes, max.processes, format_count);
        cap("open_files", p_.limits.open_files, max.open_files, format_count);
        cap("file_size", p_.limits.file_size_bytes, max.file_size_bytes, format_size);
        cap("cpu_time", p_.limits.cpu_time, max.cpu_time, format_duration);
        cap("wall_time", p_.limits.wall_time, max.wall_time, format_duration);
    }

    ResolvedPolicy& p_;
    const ManagedPolicy& m_;
    std::vector<Diagnostic>& out_;
    ManagedSummary summary_;
};

}  // namespace

bool host_rule_inside(const net::HostRule& rule, const std::vector<net::HostRule>& ceiling) {
    std::vector<const net::PortSet*> covers;
    for (const auto& m : ceiling) {
        if (hosts_inside(rule, m)) covers.push_back(&m.ports);
    }
    return ports_inside(rule.ports, covers);
}

bool host_rule_inside(std::string_view rule, const std::vector<std::string>& ceiling) {
    auto p = net::parse_host_rule(rule);
    if (!p) return false;
    std::vector<net::HostRule> managed;
    for (const auto& text : ceiling) {
        if (auto m = net::parse_host_rule(text)) managed.push_back(std::move(m).value());
    }
    return host_rule_inside(*p, managed);
}

void apply_managed(ResolvedPolicy& policy, const ManagedPolicy& managed, const PathVars& vars,
                   std::vector<Diagnostic>& diagnostics) {
    std::vector<Diagnostic> found;
    const Layer layer = validate_profile(managed.raw, vars, found);
    if (!found.empty()) {
        diagnostics.insert(diagnostics.end(), found.begin(), found.end());
        return;
    }
    Applier applier(policy, managed, found);
    applier.refusals(layer);
    if (!found.empty()) {
        diagnostics.insert(diagnostics.end(), found.begin(), found.end());
        return;
    }
    applier.apply(layer);
}

}  // namespace mxc::policy
