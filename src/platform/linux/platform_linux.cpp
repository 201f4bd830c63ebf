// mxc::platform for Linux: observe the host, compile the plan, then either
// print it (--dry-run) or hand it to the supervisor.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

#include "audit/audit_log.hpp"
#include "platform/linux/host_facts.hpp"
#include "platform/linux/plan.hpp"
#include "platform/linux/seccomp_filter.hpp"
#include "platform/linux/supervisor.hpp"
#include "platform/platform.hpp"

namespace mxc::platform {
namespace {

constexpr int kMxcFailure = 125;

std::string user_name() {
    if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
    return std::to_string(::getuid());
}

void print_to_stdout(const std::string& text) {
    (void)std::fwrite(text.data(), 1, text.size(), stdout);
    (void)std::fflush(stdout);
}

}  // namespace

std::vector<Capability> probe_host() {
    return lnx::probe_capabilities();
}

std::vector<RuleVerdict> assess(const policy::ResolvedPolicy& policy) {
    const lnx::HostFacts facts = lnx::gather_host_facts(policy, nullptr);
    std::vector<RuleVerdict> verdicts = lnx::compile_plan(policy, facts).verdicts;
    // The seccomp filter has no profile rule of its own (only [seccomp].allow
    // removes parts of it), so list what it denies, one line per call.
    for (const auto& line : lnx::describe(lnx::compile_seccomp(policy))) {
        verdicts.push_back({line, "built-in filter", "libseccomp, loaded last before execve", facts.seccomp,
                            facts.seccomp ? "" : "kernel without seccomp filtering"});
    }
    return verdicts;
}

const char* platform_name() {
    return "linux";
}

int exec(const policy::ResolvedPolicy& policy, const ExecRequest& request) {
    const lnx::HostFacts facts = lnx::gather_host_facts(policy, &request);
    lnx::LinuxPlan plan = lnx::compile_plan(policy, facts);
    const lnx::SeccompPlan seccomp = lnx::compile_seccomp(policy);
    plan.enforced.push_back("no_new_privs, no capabilities");
    plan.enforced.push_back("seccomp (" + std::to_string(seccomp.denied.size()) + " denied calls)");
    if (request.die_with_parent > 0) {
        plan.parent_pid = request.die_with_parent;
        plan.enforced.push_back("die with parent (pid " + std::to_string(plan.parent_pid) + ")");
    }

    if (request.dry_run) {
        std::string text = lnx::format_plan(plan);
        text += "seccomp:\n";
        for (const auto& line : lnx::describe(seccomp)) text += "  " + line + "\n";
        text += "argv:";
        for (const auto& a : request.argv) text += " [" + a + "]";
        text += "\n";
        print_to_stdout(text);
        return 0;
    }
    if (request.argv.empty()) {
        (void)std::fputs("mxc: no command given\n", stderr);
        return kMxcFailure;
    }
    if (!plan.fatal.empty()) {
        (void)std::fprintf(stderr, "mxc: %s\n", plan.fatal.front().c_str());
        return kMxcFailure;
    }
    if (!plan.unenforceable.empty()) {
        if (!plan.best_effort) {
            (void)std::fprintf(stderr, "mxc: %s\n", plan.unenforceable.front().c_str());
            return kMxcFailure;
        }
        for (const auto& u : plan.unenforceable) {
            (void)std::fprintf(stderr, "mxc: warning: not enforced (--best-effort): %s\n", u.c_str());
            plan.warnings.push_back("not enforced (best effort): " + u);
        }
    }

    for (const auto& u : plan.untrusted_links) (void)std::fprintf(stderr, "mxc: warning: %s\n", u.c_str());

    if (request.audit != nullptr) {
        audit::StartEvent start;
        start.profile = policy.name;
        start.profile_sha256 = policy.sha256;
        start.argv = request.argv;
        start.cwd = request.cwd;
        start.user = user_name();
        start.platform = platform_name();
        start.enforced = plan.enforced;
        start.warnings = plan.warnings;
        request.audit->start(start);
    }

    net::EgressProxy::NetCallback on_net;
    if (request.audit != nullptr) {
        // AuditLog::net is thread-safe; this runs on the proxy thread.
        on_net = [log = request.audit](const audit::NetEvent& e) { log->net(e); };
    }
    const lnx::RunOutcome outcome = lnx::run_sandbox(plan, seccomp, request.argv, std::move(on_net));
    for (const auto& w : outcome.warnings) (void)std::fprintf(stderr, "mxc: warning: %s\n", w.c_str());
    if (!outcome.error.empty()) (void)std::fprintf(stderr, "mxc: %s\n", outcome.error.c_str());

    if (request.audit != nullptr) {
        audit::ExitEvent ev;
        ev.status = outcome.exit_code;
        ev.signal = outcome.signal;
        ev.reason = outcome.reason;
        ev.wall_ms = outcome.wall_ms;
        ev.cpu_ms = outcome.cpu_ms;
        ev.max_rss_kb = outcome.max_rss_kb;
        request.audit->exit(ev);
    }
    return outcome.exit_code;
}

}  // namespace mxc::platform
