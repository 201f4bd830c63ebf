// `mxc explain`: the resolved policy, every rule with where it came from, and
// the verdict of this host's backend on how (or whether) it is enforced.
#include <cstdio>
#include <string>

#include "cli/managed_describe.hpp"
#include "cli/options.hpp"
#include "cli/resolve_context.hpp"
#include "common/json.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {
namespace {

struct LimitLine {
    const char* key;
    std::string value;
    std::string origin;
};

std::vector<LimitLine> limit_lines(const policy::Limits& l) {
    std::vector<LimitLine> out;
    auto count = [&](const char* k, const auto& v) {
        if (v) out.push_back({k, std::to_string(v->value), v->origin.describe()});
    };
    auto bytes = [&](const char* k, const auto& v) {
        if (v) out.push_back({k, policy::format_size(v->value), v->origin.describe()});
    };
    auto time = [&](const char* k, const auto& v) {
        if (v) out.push_back({k, policy::format_duration(v->value), v->origin.describe()});
    };
    bytes("memory", l.memory_bytes);
    count("processes", l.processes);
    count("open_files", l.open_files);
    bytes("file_size", l.file_size_bytes);
    time("cpu_time", l.cpu_time);
    time("wall_time", l.wall_time);
    return out;
}

// Sourced<std::string> lists and host rules (HostRuleEntry) alike.
template <class Entry>
std::string sourced_list_json(const std::vector<Entry>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& i : items)
        out.push_back(json::Object{}.field("value", i.value).field("origin", i.origin.describe()).str());
    return json::array(out);
}

// The audit sinks every `mxc exec` of this policy writes to (issue 15),
// besides the caller's --audit: the profile's, then the managed policy's.
struct AuditLine {
    const char* who;  // "profile" | "managed"
    const policy::AuditSettings* settings;
};

std::vector<AuditLine> audit_lines(const policy::ResolvedPolicy& p) {
    std::vector<AuditLine> out;
    if (p.audit) out.push_back({"profile", &*p.audit});
    if (p.managed_audit) out.push_back({"managed", &*p.managed_audit});
    return out;
}

std::string audit_target(const policy::AuditSettings& s) {
    if (s.path) return s.path->value;
    if (s.sink.value == policy::AuditSink::Syslog) return "/dev/log";
    return {};
}

int explain_json(const policy::ResolvedPolicy& p, const std::vector<platform::RuleVerdict>& verdicts) {
    std::vector<std::string> paths;
    paths.reserve(p.paths.size());
    for (const auto& r : p.paths) {
        paths.push_back(json::Object{}
                            .field("path", r.path)
                            .field("access", policy::to_string(r.access))
                            .field("origin", r.origin.describe())
                            .str());
    }
    std::vector<std::string> env_set;
    for (const auto& [k, v] : p.env.set) {
        env_set.push_back(json::Object{}
                              .field("name", k)
                              .field("value", v.value)
                              .field("origin", v.origin.describe())
                              .str());
    }
    const auto limit_list = limit_lines(p.limits);
    std::vector<std::string> limits;
    limits.reserve(limit_list.size());
    for (const auto& l : limit_list) {
        limits.push_back(
            json::Object{}.field("name", l.key).field("value", l.value).field("origin", l.origin).str());
    }
    std::vector<std::string> enforcement;
    enforcement.reserve(verdicts.size());
    for (const auto& v : verdicts) {
        enforcement.push_back(json::Object{}
                                  .field("rule", v.rule)
                                  .field("origin", v.origin)
                                  .field("mechanism", v.mechanism)
                                  .field("severity", platform::to_string(v.severity))
                                  .field("reason", v.reason)
                                  .field("enforceable", v.enforceable())
                                  .field("missing", v.enforceable() ? std::string() : v.reason)
                                  .str());
    }
    std::vector<std::string> audit;
    for (const auto& a : audit_lines(p)) {
        audit.push_back(json::Object{}
                            .field("set_by", a.who)
                            .field("sink", policy::to_string(a.settings->sink.value))
                            .field("path", audit_target(*a.settings))
                            .field("origin", a.settings->sink.origin.describe())
                            .str());
    }
    json::Object o;
    o.field("profile", p.name)
        .field("description", p.description)
        .field("source", p.source)
        .field("chain", p.chain)
        .field("sha256", policy::chain_sha256(p))
        .field("agent", p.agent_id)
        .field("workspace", p.workspace)
        .field("home", p.home)
        .field("tmp", p.tmp)
        .field("missing", p.missing.value == policy::MissingPaths::Ignore ? "ignore" : "error")
        .field("best_effort", p.best_effort.value)
        .raw("filesystem", json::array(paths))
        .raw("network", json::Object{}
                            .field("mode", policy::to_string(p.network.mode.value))
                            .raw("allow", sourced_list_json(p.network.allow))
                            .raw("deny", sourced_list_json(p.network.deny))
                            .raw("unix", sourced_list_json(p.network.unix_sockets))
                            .str())
        .raw("env", json::Object{}
                        .raw("pass", sourced_list_json(p.env.pass))
                        .raw("deny", sourced_list_json(p.env.deny))
                        .raw("set", json::array(env_set))
                        .str())
        .raw("limits", json::array(limits))
        .raw("seccomp_allow", sourced_list_json(p.seccomp.allow))
        .raw("audit", json::array(audit))
        .raw("managed", p.managed ? managed_json(*p.managed) : "null")
        .field("platform", platform::platform_name())
        .raw("enforcement", json::array(enforcement));
    std::printf("%s\n", o.str().c_str());
    return 0;
}

template <class Entry>
void print_list(const char* label, const std::vector<Entry>& items) {
    for (const auto& i : items)
        std::printf("  %-6s %-40s %s\n", label, i.value.c_str(), i.origin.describe().c_str());
}

// ok: enforced (a caveat too); --: nothing to enforce (skipped, merged);
// !!: not applied as written; NO: refuses the launch.
const char* verdict_mark(platform::Severity s) {
    switch (s) {
        case platform::Severity::Enforced:
        case platform::Severity::Caveat:
            return "ok";
        case platform::Severity::Note:
            return "--";
        case platform::Severity::Warning:
            return "!!";
        case platform::Severity::Unenforceable:
        case platform::Severity::Fatal:
            return "NO";
    }
    return "?";
}

int explain_text(const policy::ResolvedPolicy& p, const std::vector<platform::RuleVerdict>& verdicts) {
    std::printf("profile   %s (%s)\n", p.name.c_str(), p.source.c_str());
    if (!p.description.empty()) std::printf("          %s\n", p.description.c_str());
    std::string chain;
    for (const auto& c : p.chain) chain += (chain.empty() ? "" : " -> ") + c;
    std::printf("chain     %s\nsha256    %s\n", chain.c_str(), policy::chain_sha256(p).c_str());
    if (!p.agent_id.empty()) std::printf("agent     %s\n", p.agent_id.c_str());
    std::printf("workspace %s\nhome      %s\ntmp       %s (created per run, removed after)\n\n",
                p.workspace.c_str(), p.home.c_str(), p.tmp.c_str());

    std::printf("[filesystem] missing = %s; most specific path wins, deny > read > write on equal paths\n",
                p.missing.value == policy::MissingPaths::Ignore ? "ignore" : "error");
    for (const auto& r : p.paths) {
        // missing is per file (issue 12, item 8): mark the rules it makes fatal.
        std::printf(
            "  %-6s %-40s %s%s\n", policy::to_string(r.access), r.path.c_str(), r.origin.describe().c_str(),
            r.missing.value == policy::MissingPaths::Error && !r.protect ? " (missing = \"error\")" : "");
    }
    std::printf("\n[network] mode = %s (%s)\n", policy::to_string(p.network.mode.value),
                p.network.mode.origin.describe().c_str());
    print_list("allow", p.network.allow);
    print_list("deny", p.network.deny);
    print_list("unix", p.network.unix_sockets);
    std::printf("\n[env]\n");
    print_list("pass", p.env.pass);
    print_list("deny", p.env.deny);
    for (const auto& [k, v] : p.env.set) {
        std::printf("  %-6s %-40s %s\n", "set", (k + "=" + v.value).c_str(), v.origin.describe().c_str());
    }
    std::printf("\n[limits]\n");
    for (const auto& l : limit_lines(p.limits))
        std::printf("  %-10s %-36s %s\n", l.key, l.value.c_str(), l.origin.c_str());
    if (!p.seccomp.allow.empty()) {
        std::printf("\n[seccomp]\n");
        print_list("allow", p.seccomp.allow);
    }
    std::printf("\n[audit] every run writes its events to these, besides --audit\n");
    const auto audit = audit_lines(p);
    if (audit.empty()) std::printf("  (none: only where --audit points)\n");
    for (const auto& a : audit) {
        const std::string sink =
            std::string(policy::to_string(a.settings->sink.value)) + " " + audit_target(*a.settings);
        std::printf("  %-7s %-38s %s\n", a.who, sink.c_str(), a.settings->sink.origin.describe().c_str());
    }
    if (p.managed) std::printf("\n%s", describe_managed(*p.managed).c_str());
    std::printf("\nEnforcement on this host (%s)%s:\n", platform::platform_name(),
                p.best_effort.value ? ", best-effort: unenforceable rules only warn" : "");
    bool fatal = false;
    for (const auto& v : verdicts) {
        // A note with a mechanism already says it there (e.g. "skipped: ...").
        std::string detail = v.mechanism;
        if (!v.enforceable()) {
            detail += " -- missing: " + v.reason;
        } else if (!v.reason.empty() && (v.severity != platform::Severity::Note || detail.empty())) {
            detail += (detail.empty() ? "" : " -- ") + v.reason;
        }
        std::printf("  %-3s %-46s %s\n", verdict_mark(v.severity), v.rule.c_str(), detail.c_str());
        fatal = fatal || v.severity == platform::Severity::Fatal;
    }
    if (fatal) {
        std::printf("\nmxc exec would refuse this profile here (exit 125), even with --best-effort.\n");
    } else if (platform::refuses(verdicts, p.best_effort.value)) {
        std::printf(
            "\nmxc exec would refuse this profile here (exit 125); pass --best-effort to run with "
            "warnings.\n");
    }
    return 0;
}

}  // namespace

int run_explain(const ExplainOptions& options) {
    auto ctx = make_resolve_context(options.policy.workspace, "<session>");
    if (!ctx) {
        std::fprintf(stderr, "mxc: %s\n", ctx.error().message.c_str());
        return 1;
    }
    auto policy = policy::load_policy(options.policy.profile, options.policy.overrides, *ctx);
    if (!policy) {
        std::fprintf(stderr, "%s\n", policy.error().message.c_str());
        return 1;
    }
    auto verdicts = platform::assess(*policy);
    return options.json ? explain_json(*policy, verdicts) : explain_text(*policy, verdicts);
}

}  // namespace mxc::cli
