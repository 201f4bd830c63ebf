// platform.hpp for Windows: probe, assess, and exec = compile the plan from the
// probed host facts, then carry it out mechanism by mechanism. Each mechanism
// is an RAII object declared in the order it must be undone in reverse: the
// egress proxy outlives the journal (ACLs), which outlives the job, which
// outlives the process.
#include <windows.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "audit/audit_log.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "net/egress_proxy.hpp"
#include "net/host_rule.hpp"
#include "net/refusal_notices.hpp"
#include "platform/platform.hpp"
#include "platform/verdicts.hpp"
#include "platform/windows/apply/acl_grant.hpp"
#include "platform/windows/apply/acl_journal.hpp"
#include "platform/windows/apply/app_container.hpp"
#include "platform/windows/apply/command_lookup.hpp"
#include "platform/windows/apply/console_ctrl.hpp"
#include "platform/windows/apply/desktop.hpp"
#include "platform/windows/apply/host_probe.hpp"
#include "platform/windows/apply/job_object.hpp"
#include "platform/windows/apply/leftover_reset.hpp"
#include "platform/windows/apply/path_facts.hpp"
#include "platform/windows/apply/process_launcher.hpp"
#include "platform/windows/apply/restricted_token.hpp"
#include "platform/windows/apply/wfp_filters.hpp"
#include "platform/windows/plan/command_line.hpp"
#include "platform/windows/plan/environment.hpp"
#include "platform/windows/plan/journal_format.hpp"
#include "platform/windows/plan/win_path.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform {
namespace {

using namespace mxc::platform::win;

void say(const std::string& line) {
    std::string s = "mxc: " + line + "\n";
    std::fwrite(s.data(), 1, s.size(), stderr);
    std::fflush(stderr);
}

// docs/design.md "Strictness": refuse (125, naming the rule) unless
// --best-effort, which warns and carries on. The decision and its wording are
// shared with Linux (platform/verdicts.hpp); this adds what the applier finds
// only while carrying the plan out (an ACE, a token, a desktop that fails).
class Strictness {
public:
    explicit Strictness(bool best_effort) : admission_(best_effort) {}
    // The plan's verdicts; false when the launch must be refused.
    bool admit_plan(const std::vector<RuleVerdict>& verdicts) {
        return flush(admission_.admit_all(verdicts));
    }
    // True when the launch must be refused. `rule` names it, origin included.
    bool unenforceable(const std::string& rule, const std::string& missing) {
        return !flush(admission_.admit(RuleVerdict{rule, "", "", Severity::Unenforceable, missing}));
    }
    [[nodiscard]] const Admission& admission() const { return admission_; }

private:
    bool flush(bool admitted) {
        for (const auto& line : admission_.take_stderr()) say(line);
        return admitted;
    }
    Admission admission_;
};

EnvList caller_environment() {
    EnvList out;
    wchar_t* block = GetEnvironmentStringsW();
    if (!block) return out;
    for (const wchar_t* p = block; *p; p += wcslen(p) + 1) {
        std::wstring entry(p);
        auto eq = entry.find(L'=', 1);  // entries like "=C:=C:\x" start with '='
        if (eq == std::wstring::npos) continue;
        out.emplace_back(narrow(entry.substr(0, eq)), narrow(entry.substr(eq + 1)));
    }
    FreeEnvironmentStringsW(block);
    return out;
}

std::wstring environment_block(const EnvList& env) {
    std::wstring block;
    for (const auto& [k, v] : env) {
        block += widen(k) + L"=" + widen(v);
        block.push_back(L'\0');
    }
    if (block.empty()) block.push_back(L'\0');
    block.push_back(L'\0');
    return block;
}

HostProbe probe_with_run_id(const std::string& session_id) {
    HostProbe p = probe_windows_host();
    // The audit session id doubles as the run id: journal files and SIDs then
    // point back at the audit log entry of the run that made them.
    p.facts.run_id = session_id.size() >= 16 ? session_id : random_run_id();
    p.facts.session_id = session_id;
    return p;
}

// Every valid rule goes to the proxy, IP/CIDR ones included: a client that
// sends everything through HTTP_PROXY must get the same answers as one that
// connects directly. Invalid rules have their own verdicts (refused unless
// --best-effort) and are left out.
Result<std::unique_ptr<net::EgressProxy>> start_egress_proxy(const policy::ResolvedPolicy& policy,
                                                             audit::AuditLog* audit) {
    std::vector<net::HostRule> allow, deny;
    for (const auto& r : policy.network.allow)
        if (r.parsed) allow.push_back(*r.parsed);
    for (const auto& r : policy.network.deny)
        if (r.parsed) deny.push_back(*r.parsed);
    // AuditLog::net and RefusalNotices are thread-safe; this runs on the
    // connections' threads. Each run prints its first denials (issue 11),
    // unless -q.
    auto notices = std::make_shared<net::RefusalNotices>(policy.name, log::quiet());
    net::EgressProxy::NetCallback on_net = [audit, notices](const audit::NetEvent& e) {
        if (audit != nullptr) audit->net(e);
        notices->on_event(e);
    };
    net::EgressProxyOptions options;
    options.profile_name = policy.name;
    auto created =
        net::EgressProxy::create_loopback(net::Matcher(std::move(allow), std::move(deny)), on_net, options);
    if (!created) return created.error();
    if (auto st = (*created)->start(); !st) return make_error("egress proxy: start: " + st.error().message);
    return std::move(*created);
}

}  // namespace

struct EarlyStart {};

// Windows has no use for it yet: nothing of its start was measured.
void prepare_process() {}

void finish_process() {}

// A Windows run returns through main as before: its end was not measured.
void end_exec(int /*status*/) {}

// Nothing of a Windows run depends only on the command line.
std::shared_ptr<EarlyStart> start_early(bool /*verbose*/) {
    return nullptr;
}

const char* platform_name() {
    return "windows";
}

// `mxc learn` (issue 13) has a Linux learning sandbox only; docs/windows.md
// says what Windows lacks for it.
int learn(const policy::ResolvedPolicy& /*base*/, const ExecRequest& /*request*/, bool /*allow_net*/,
          learn::Observations& /*out*/) {
    (void)std::fputs("mxc: mxc learn is not available on Windows (see docs/windows.md)\n", stderr);
    return exit_code::kMxcFailure;
}

std::vector<Capability> probe_host() {
    HostProbe p = probe_windows_host();
    const auto& f = p.facts;
    std::vector<Capability> caps;
    caps.push_back({"windows_build", f.os_build != 0, f.os_build ? std::to_string(f.os_build) : "unknown"});
    caps.push_back({"appcontainer", f.appcontainer_supported,
                    f.appcontainer_supported ? "CreateAppContainerProfile available"
                                             : "CreateAppContainerProfile not found in userenv.dll"});
    caps.push_back({"restricted_token", p.token_problem.empty(),
                    p.token_problem.empty() ? "CreateRestrictedToken works" : p.token_problem});
    caps.push_back({"job_objects", true, f.os_build >= 9200 ? "nested jobs supported" : "no nested jobs"});
    caps.push_back({"wfp", f.wfp_available,
                    f.wfp_available ? "filter engine opened (dynamic session)"
                                    : win_error_text("FwpmEngineOpen0", f.wfp_error) +
                                          (f.wfp_error == ERROR_ACCESS_DENIED ? "; run elevated" : "")});
    caps.push_back({"private_desktop", f.private_desktop_available,
                    f.private_desktop_available ? "CreateDesktopW works" : p.desktop_problem});
    return caps;
}

std::vector<RuleVerdict> assess(const policy::ResolvedPolicy& policy) {
    HostProbe p = probe_with_run_id("");
    probe_path_facts(policy, p.facts);
    return compile_windows_plan(policy, p.facts).verdicts;
}

int exec(const policy::ResolvedPolicy& policy, const ExecRequest& request) {
    if (request.argv.empty()) {
        say("no command given");
        return exit_code::kMxcFailure;
    }
    HostProbe probe = probe_with_run_id(request.session_id);

    // The egress proxy listens before the plan is compiled: its port is what
    // the WFP permit and HTTP_PROXY & co. point at. Declared first, it is
    // destroyed (stopped) last on every early return.
    std::unique_ptr<net::EgressProxy> proxy;
    if (!request.dry_run && needs_egress_proxy(policy)) {
        auto started = start_egress_proxy(policy, request.audit);
        if (!started) {
            say(started.error().message);
            return exit_code::kMxcFailure;
        }
        proxy = std::move(*started);
        probe.facts.proxy_port = proxy->port();
    }
    probe_path_facts(policy, probe.facts);
    WindowsPlan plan = compile_windows_plan(policy, probe.facts);

    if (request.dry_run) {
        std::string text = describe(plan);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }

    Strictness strict(policy.best_effort.value);
    if (!strict.admit_plan(plan.verdicts)) return exit_code::kMxcFailure;

    // A previous mxc that crashed left grants behind: take them back before
    // granting anything new.
    const std::wstring journal_dir = AclJournal::default_dir();
    const std::wstring temp_root = AclJournal::temp_root();
    auto replay = replay_stale_journals(journal_dir, temp_root);
    for (const auto& e : replay.errors) say("warning: crashed run's journal: " + e);

    EnvList env = build_child_environment(policy.env, caller_environment(), plan.child_env);

    auto exe = find_executable(request.argv[0], env);
    if (exe.kind == LookupResult::Kind::NotFound) {
        say(request.argv[0] + ": command not found in the sandbox's PATH");
        return exit_code::of(exit_code::ExecFailure::NotFound);
    }
    if (exe.kind == LookupResult::Kind::NotExecutable) {
        say(request.argv[0] + ": " + exe.reason);
        return exit_code::of(exit_code::ExecFailure::NotExecutable);
    }

    // ---- filesystem: journal, then {tmp}, then one ACE per rule root ----
    std::optional<AclJournal> journal;
    std::vector<std::wstring> write_roots;  // for the leftover-permission reset after the run
    if (!plan.acl.empty() || !plan.create_dirs.empty() || plan.isolation == Isolation::AppContainer) {
        auto j = AclJournal::create(journal_dir, probe.facts.run_id, plan.run_sid);
        if (!j) {
            say(j.error().message);
            return exit_code::kMxcFailure;
        }
        journal.emplace(std::move(*j));
        AclApplier applier(*journal, plan.run_sid);
        for (const auto& dir : plan.create_dirs) {
            // The only directory a journal may remove (journal_format.hpp):
            // a crash replay would refuse anything else.
            auto expected = journal_tmp_dir(narrow(temp_root), probe.facts.run_id);
            if (!expected || !path_equal(*expected, dir)) {
                say("{tmp} " + dir + " is not %TEMP%\\mxc-<run id>: refusing to create it");
                return exit_code::kMxcFailure;
            }
            if (auto st = applier.create_dir(widen(dir)); !st) {
                say(st.error().message);
                return exit_code::kMxcFailure;
            }
        }
        for (const auto& g : plan.acl) {
            std::string rule = std::string("filesystem.") + policy::to_string(g.access) + " " + g.rule_path +
                               " (" + g.origin.describe() + ")";
            // A link a sandboxed run could have made: the ACE goes on the link.
            auto resolved =
                g.on_link_itself ? ResolvedGrantPath{true, widen(g.path), ""} : resolve_grant_path(g.path);
            if (!resolved.exists) {
                if (!g.missing_refusal.empty()) {
                    say(g.missing_refusal);
                    return exit_code::kMxcFailure;
                }
                continue;
            }
            if (auto st = applier.apply(g, resolved.path); !st) {
                if (strict.unenforceable(rule, st.error().message)) return exit_code::kMxcFailure;
            } else if (g.access == policy::Access::Write && g.type == AceType::Allow) {
                write_roots.push_back(resolved.path);
            }
        }
    }

    // ---- identity: AppContainer or restricted token ----
    std::optional<AppContainer> container;
    UniqueHandle token;
    if (plan.isolation == Isolation::AppContainer) {
        // Journaled first: a crash leaves nothing the next start cannot delete.
        if (auto st = journal->record_container(plan.app_container.profile_name); !st) {
            say(st.error().message);
            return exit_code::kMxcFailure;
        }
        auto ac = AppContainer::create(plan.app_container);
        if (!ac) {
            say(ac.error().message);
            return exit_code::kMxcFailure;
        }
        container.emplace(std::move(*ac));
    } else {
        auto t = create_restricted_token(plan.restricted_token);
        if (!t) {
            if (strict.unenforceable("windows.isolation restricted-token", t.error().message))
                return exit_code::kMxcFailure;
        } else {
            if (!t->integrity_problem.empty() &&
                strict.unenforceable("windows.isolation restricted-token (Low integrity)",
                                     t->integrity_problem))
                return exit_code::kMxcFailure;
            token = std::move(t->token);
        }
    }

    std::optional<PrivateDesktop> desktop;
    if (plan.desktop.private_desktop && probe.facts.private_desktop_available) {
        auto d = PrivateDesktop::create(plan.desktop.name, plan.run_sid, probe.facts.user_sid);
        if (!d) {
            if (strict.unenforceable("windows.desktop private", d.error().message))
                return exit_code::kMxcFailure;
        } else {
            desktop.emplace(std::move(*d));
        }
    }

    std::vector<std::pair<std::string, std::string>> job_problems;
    auto job = JobObject::create(plan.job, job_problems);
    if (!job) {
        say(job.error().message);
        return exit_code::kMxcFailure;
    }
    for (const auto& [rule, why] : job_problems)
        if (strict.unenforceable(rule, why)) return exit_code::kMxcFailure;

    std::optional<WfpSession> wfp;
    if (plan.wfp.enabled && probe.facts.wfp_available) {
        SidFromFreeSid package;
        if (plan.isolation == Isolation::AppContainer) {
            auto sid = appcontainer_sid(plan.app_container.profile_name);
            if (sid) package = std::move(*sid);
        }
        auto s = WfpSession::install(plan.wfp, package.get());
        if (!s) {
            if (strict.unenforceable(
                    std::string("network.mode ") + policy::to_string(policy.network.mode.value),
                    s.error().message))
                return exit_code::kMxcFailure;
        } else {
            wfp.emplace(std::move(*s));
        }
    }

    ConsoleCtrlGuard ctrl([&job, &journal] {
        job->terminate(1);
        if (journal) journal->restore();
    });

    // What exists under the write roots now: afterwards, objects not in it
    // were made by the run, and their self-chosen permissions are reset.
    std::optional<LeftoverSnapshot> before_run;
    if (!write_roots.empty()) before_run.emplace(LeftoverSnapshot::take(write_roots));

    // ---- launch ----
    LaunchSpec spec;
    spec.application = exe.path;
    spec.command_line = widen(build_command_line(request.argv));
    spec.cwd = widen(request.cwd);
    spec.environment = environment_block(env);
    if (desktop) spec.desktop = desktop->startup_name();
    spec.token = token.get();
    spec.capabilities = container ? container->capabilities() : nullptr;
    spec.child_process_restricted = plan.mitigations.child_process_restricted;
    spec.win32k_disabled = plan.mitigations.win32k_disabled;

    LaunchFailure failure;
    auto started = launch_suspended(spec, failure);
    if (!started) {
        say(failure.message);
        return launch_failure_exit_code(failure.code);
    }
    // In the job before it runs: nothing it spawns can escape the limits.
    if (auto st = job->assign(started->process.get()); !st) {
        TerminateProcess(started->process.get(), exit_code::kMxcFailure);
        say(st.error().message);
        return exit_code::kMxcFailure;
    }

    if (request.audit) {
        const std::string sha256 =
            request.audit->knows_profile() ? std::string() : policy::chain_sha256(policy);
        request.audit->start(start_event(policy.name, sha256, request.argv, request.cwd, probe.facts.user_sid,
                                         platform_name(), strict.admission()));
    }

    const auto t0 = std::chrono::steady_clock::now();
    ResumeThread(started->thread.get());
    started->thread.reset();

    DWORD wait_ms = INFINITE;
    if (plan.job.wall_time)
        wait_ms = static_cast<DWORD>(std::min<long long>(plan.job.wall_time->count(), INFINITE - 1));
    DWORD w = WaitForSingleObject(started->process.get(), wait_ms);
    int status = 0;
    std::string reason = "exited";
    if (w == WAIT_TIMEOUT) {
        job->terminate(exit_code::kTimeout);
        WaitForSingleObject(started->process.get(), INFINITE);
        status = exit_code::kTimeout;
        reason = "timeout";
        say("wall_time limit reached: command terminated");
    } else {
        DWORD code = 0;
        GetExitCodeProcess(started->process.get(), &code);
        status = static_cast<int>(code);
    }
    const auto wall_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    auto usage = job->usage();
    // Grandchildren die with the job before their ACLs are taken back.
    job->terminate(static_cast<UINT>(status));
    // Input the command queued on the shared console (WriteConsoleInputW,
    // the counterpart of TIOCSTI) must not reach the user's shell.
    if (int dropped = flush_console_input(); dropped > 0)
        say("discarded " + std::to_string(dropped) + " console input event(s) the command left queued");
    if (before_run) {
        auto leftovers = before_run->reset_new_objects(plan.run_sid);
        if (leftovers.objects > 0)
            say("reset the permissions of " + std::to_string(leftovers.objects) +
                " object(s) the command created with its own DACL or integrity label:");
        for (const auto& line : leftovers.resets) say("  " + line);
        for (const auto& e : leftovers.errors) say("warning: " + e);
    }
    wfp.reset();
    // Nothing in the sandbox is left to use it; its last net events (allowed
    // connections are reported at close) go out before the exit event.
    if (proxy) proxy->stop();
    if (journal) {
        for (const auto& e : journal->restore())
            say("warning: restoring ACLs: " + e + " (retried at next start)");
    }
    if (request.audit) {
        request.audit->exit(exit_event(status, 0, reason, static_cast<std::uint64_t>(wall_ms), usage.cpu_ms,
                                       usage.peak_memory_kb));
    }
    return status;
}

}  // namespace mxc::platform
