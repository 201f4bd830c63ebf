// mxc::platform for Linux: observe the host, compile the plan, then either
// print it (--dry-run) or hand it to the supervisor.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "audit/audit_log.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "common/terminal_text.hpp"
#include "integrity/absent_guard.hpp"
#include "integrity/git_guard.hpp"
#include "net/refusal_notices.hpp"
#include "platform/linux/apply/create_dirs.hpp"
#include "platform/linux/apply/early_init.hpp"
#include "platform/linux/apply/exit_handoff.hpp"
#include "platform/linux/apply/host_facts.hpp"
#include "platform/linux/apply/init_helper.hpp"
#include "platform/linux/apply/learn_tracer.hpp"
#include "platform/linux/apply/learn_view.hpp"
#include "platform/linux/apply/seccomp_filter.hpp"
#include "platform/linux/apply/setup_log.hpp"
#include "platform/linux/apply/startup_pages.hpp"
#include "platform/linux/apply/supervisor.hpp"
#include "platform/linux/plan/plan.hpp"
#include "platform/platform.hpp"
#include "platform/verdicts.hpp"

namespace mxc::platform {

struct EarlyStart {
    std::unique_ptr<lnx::EarlyInit> init;
};
namespace {

std::string user_name() {
    if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
    return std::to_string(::getuid());
}

// The directories whose repositories a run can change: every write root, and
// the workspace and its parents up to the write root that holds them (a
// repository whose .git sits above the workspace but inside a write rule).
std::vector<std::string> git_roots(const lnx::LinuxPlan& plan, const lnx::HostFacts& facts,
                                   const std::string& workspace) {
    std::vector<std::string> roots;
    for (const auto& m : plan.mounts) {
        // A pinned .git is a write root of its own, but the repository is its parent's.
        const bool git_dir = m.source.size() >= 5 && m.source.compare(m.source.size() - 5, 5, "/.git") == 0;
        if (m.kind == lnx::MountKind::BindRw && m.is_dir && !git_dir) roots.push_back(m.source);
    }
    auto ws = facts.paths.find(workspace);
    std::string dir = ws != facts.paths.end() && ws->second.exists ? ws->second.resolved : workspace;
    const std::vector<std::string> write_roots = roots;
    while (!dir.empty()) {
        bool inside = false;
        for (const auto& r : write_roots) {
            inside |= dir == r || (dir.size() > r.size() && dir.compare(0, r.size(), r) == 0 &&
                                   (r == "/" || dir[r.size()] == '/'));
        }
        if (!inside) break;
        roots.push_back(dir);
        if (dir == "/") break;
        const auto slash = dir.rfind('/');
        dir = slash == 0 ? "/" : dir.substr(0, slash);
    }
    return roots;
}

std::vector<integrity::AbsentPath> absent_paths(const lnx::LinuxPlan& plan) {
    std::vector<integrity::AbsentPath> out;
    for (const auto& a : plan.must_stay_absent) out.push_back({a.path, a.root, a.rel, a.why});
    return out;
}

// stderr and the audit log: the user must learn what the run tried.
void report_tampering(const std::vector<integrity::Tamper>& found, audit::AuditLog* log) {
    for (const auto& t : found) {
        // Names and link targets are the run's choice: no control bytes reach the terminal.
        (void)std::fprintf(stderr, "mxc: tamper: %s: %s (%s)\n", terminal_safe(t.path).c_str(),
                           terminal_safe(t.what).c_str(), terminal_safe(t.action).c_str());
        if (log != nullptr) log->tamper(audit::TamperEvent{t.path, t.what, t.action});
    }
}

void print_to_stderr(const std::vector<std::string>& lines) {
    for (const auto& l : lines) (void)std::fprintf(stderr, "mxc: %s\n", l.c_str());
}

// The sandbox's own mechanisms that only the launch adds (explain lists the
// seccomp filter call by call instead).
void add_launch_verdicts(lnx::LinuxPlan& plan, const lnx::SeccompPlan& seccomp) {
    plan.verdicts.push_back(RuleVerdict{"privileges", "", "no_new_privs, no capabilities"});
    plan.verdicts.push_back(RuleVerdict{
        "seccomp", "", "built-in filter, " + std::to_string(seccomp.denied.size()) + " denied calls"});
}

void print_to_stdout(const std::string& text) {
    (void)std::fwrite(text.data(), 1, text.size(), stdout);
    (void)std::fflush(stdout);
}

}  // namespace

namespace {

// exec() and learn() from a compiled plan on: --dry-run, refusals, the
// integrity guards, audit start/exit, the run. `tracer` and `extra_net`:
// learning only; `outcome_out` receives the run's outcome when it ran.
int launch(const policy::ResolvedPolicy& policy, const ExecRequest& request, const lnx::HostFacts& facts,
           lnx::LinuxPlan& plan, const lnx::SeccompPlan& seccomp, lnx::LearnTracer* tracer = nullptr,
           net::EgressProxy::NetCallback extra_net = {}, lnx::RunOutcome* outcome_out = nullptr) {
    if (request.die_with_parent > 0) {
        plan.parent_pid = request.die_with_parent;
        plan.verdicts.push_back(RuleVerdict{"--die-with-parent", "command line",
                                            "the sandbox dies with pid " + std::to_string(plan.parent_pid)});
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
        return exit_code::kMxcFailure;
    }
    // Refuse or warn (docs/design.md "Strictness"): the same decision and
    // wording as on Windows (platform/verdicts.hpp).
    Admission admission(plan.best_effort);
    const bool admitted = admission.admit_all(plan.verdicts);
    print_to_stderr(admission.take_stderr());
    if (!admitted) return exit_code::kMxcFailure;
    if (!plan.cwd_note.empty()) {
        log::info(plan.cwd_note);
        admission.record_warning(plan.cwd_note);
    }

    // I2/I3 (issue 10): record the exec-capable git state and the missing
    // protected paths before the command exists; after the run, whatever it
    // did to them is undone. The supervisor calls this just before the
    // command may start: with an early init, while init builds the mount
    // tree (supervisor.hpp, BeforeCommand).
    std::optional<integrity::GitGuard> git_guard;
    std::optional<integrity::AbsentGuard> absent_guard;
    auto before_command = [&]() {
        git_guard.emplace(integrity::GitGuard::snapshot(git_roots(plan, facts, policy.workspace)));
        absent_guard.emplace(integrity::AbsentGuard::watch(absent_paths(plan)));
        for (const auto& e : git_guard->errors())
            admission.record_warning("git integrity check incomplete: " + e);
        for (const auto& e : absent_guard->skipped()) admission.record_warning("not watched: " + e);
        if (request.audit != nullptr) {
            const std::string sha256 =
                request.audit->knows_profile() ? std::string() : policy::chain_sha256(policy);
            request.audit->start(start_event(policy.name, sha256, request.argv, plan.cwd, user_name(),
                                             platform_name(), admission));
        }
    };

    // AuditLog::net and RefusalNotices are thread-safe; this runs on the
    // proxy thread. Each run prints its first denials (issue 11), unless -q.
    auto notices = std::make_shared<net::RefusalNotices>(policy.name, log::quiet());
    net::EgressProxy::NetCallback on_net = [audit_log = request.audit, notices](const audit::NetEvent& e) {
        if (audit_log != nullptr) audit_log->net(e);
        notices->on_event(e);
    };
    net::EgressProxy::NetCallback relay = [on_net = std::move(on_net),
                                           extra = std::move(extra_net)](const audit::NetEvent& e) {
        on_net(e);
        if (extra) extra(e);
    };
    lnx::EarlyInit* early = request.early ? request.early->init.get() : nullptr;
    const lnx::RunOutcome outcome =
        lnx::run_sandbox(plan, seccomp, request.argv, std::move(relay), tracer, early, before_command);
    if (outcome_out != nullptr) *outcome_out = outcome;
    for (const auto& w : outcome.warnings) (void)std::fprintf(stderr, "mxc: warning: %s\n", w.c_str());
    if (!outcome.error.empty()) (void)std::fprintf(stderr, "mxc: %s\n", outcome.error.c_str());
    // The sandbox's processes are all gone (its pid namespace died with
    // init), so nothing races the restore.
    if (git_guard)
        report_tampering(git_guard->check_and_restore("tamper-" + request.session_id.substr(0, 8)),
                         request.audit);
    if (absent_guard) report_tampering(absent_guard->check_and_remove(), request.audit);

    if (request.audit != nullptr) {
        request.audit->exit(exit_event(outcome.exit_code, outcome.signal, outcome.reason, outcome.wall_ms,
                                       outcome.cpu_ms, outcome.max_rss_kb));
    }
    return outcome.exit_code;
}

}  // namespace

std::vector<Capability> probe_host() {
    std::vector<Capability> caps = lnx::probe_capabilities();
    // Not a boundary feature: how fast a run starts (init_helper.hpp).
    if (const UniqueFd helper = lnx::open_init_helper(); helper.valid()) {
        std::array<char, 4096> path{};
        const std::string link = "/proc/self/fd/" + std::to_string(helper.get());
        const ssize_t n = ::readlink(link.c_str(), path.data(), path.size() - 1);
        caps.push_back(
            {"sandbox_init", true,
             "mxc-init " + (n > 0 ? std::string(path.data(), static_cast<std::size_t>(n)) : std::string())});
    } else {
        caps.push_back({"sandbox_init", false,
                        "no usable mxc-init next to mxc or in ../libexec/mxc (a regular file owned like mxc, "
                        "writable by no one else): each run clones mxc itself, which starts 1-2 ms slower"});
    }
    return caps;
}

std::vector<RuleVerdict> assess(const policy::ResolvedPolicy& policy) {
    const lnx::HostFacts facts = lnx::gather_host_facts(policy, nullptr);
    std::vector<RuleVerdict> verdicts = lnx::compile_plan(policy, facts).verdicts;
    // The seccomp filter has no profile rule of its own (only [seccomp].allow
    // removes parts of it), so list what it denies, one line per call.
    for (const auto& line : lnx::describe(lnx::compile_seccomp(policy))) {
        verdicts.push_back({line, "built-in filter", "libseccomp, loaded last before execve",
                            facts.seccomp ? Severity::Enforced : Severity::Unenforceable,
                            facts.seccomp ? "" : "kernel without seccomp filtering"});
    }
    return verdicts;
}

const char* platform_name() {
    return "linux";
}

void prepare_process() {
    lnx::premap_startup_pages();
}

void finish_process() {
    lnx::hand_off_teardown();
}

void end_exec(int status) {
    (void)std::fflush(nullptr);
    finish_process();
    std::_Exit(status);
}

std::shared_ptr<EarlyStart> start_early(bool verbose) {
    auto init = lnx::EarlyInit::start(verbose);
    if (!init) return nullptr;
    auto early = std::make_shared<EarlyStart>();
    early->init = std::move(init);
    return early;
}

int exec(const policy::ResolvedPolicy& policy, const ExecRequest& request) {
    const bool verbose = log::verbose();
    lnx::HostFacts facts = [&] {
        lnx::StepTimer timer(verbose, "host facts: rule paths, kernel features");
        return lnx::gather_host_facts(policy, &request);
    }();
    lnx::LinuxPlan plan = [&] {
        lnx::StepTimer timer(verbose, "plan compiled");
        return lnx::compile_plan(policy, facts);
    }();
    std::vector<RuleVerdict> not_created;
    if (!request.dry_run && !plan.create_dirs.empty() && !refuses(plan.verdicts, plan.best_effort)) {
        // Create, then observe the host again: the new directories are now
        // rule paths like any other (their facts, links and mounts).
        for (const auto& d : plan.create_dirs) {
            if (auto st = lnx::create_dir_beneath(d.base, d.path); !st) {
                not_created.push_back(
                    RuleVerdict{d.why, "", "", Severity::Warning,
                                "not created, so not writable in the sandbox: " + st.error().message});
            } else {
                log::info("created " + d.path + " (mode 0700) for " + d.why);
            }
        }
        facts = lnx::gather_host_facts(policy, &request);
        plan = lnx::compile_plan(policy, facts);
    }
    plan.verdicts.insert(plan.verdicts.end(), not_created.begin(), not_created.end());
    const lnx::SeccompPlan seccomp = lnx::compile_seccomp(policy);
    add_launch_verdicts(plan, seccomp);
    return launch(policy, request, facts, plan, seccomp);
}

int learn(const policy::ResolvedPolicy& base, const ExecRequest& request, bool allow_net,
          learn::Observations& out) {
    // --allow-net-learning under network = "none": the allowlist machinery
    // (proxy, broker, DNS stub) with the allow-everything matcher the
    // supervisor builds for learning plans only.
    policy::ResolvedPolicy policy = base;
    if (allow_net && policy.network.mode.value == policy::NetMode::None)
        policy.network.mode.value = policy::NetMode::Allowlist;
    lnx::HostFacts facts = lnx::gather_host_facts(policy, &request);
    auto mounts = lnx::read_host_mounts();
    if (!mounts) {
        (void)std::fprintf(stderr, "mxc: learning: %s\n", mounts.error().message.c_str());
        return exit_code::kMxcFailure;
    }
    facts.host_mounts = std::move(mounts).value();
    // No create_dirs: learning leaves the host as it was (a missing write
    // rule directory is shown through the throwaway layer instead).
    lnx::LinuxPlan plan = lnx::compile_plan(policy, facts);
    lnx::compile_learning(policy, facts, allow_net, plan);
    const lnx::SeccompPlan seccomp = lnx::compile_seccomp(policy);
    add_launch_verdicts(plan, seccomp);

    lnx::LearnTracer tracer(policy.tmp);
    auto net_mu = std::make_shared<std::mutex>();
    auto events = std::make_shared<std::vector<audit::NetEvent>>();
    net::EgressProxy::NetCallback record = [net_mu, events](const audit::NetEvent& e) {
        std::lock_guard<std::mutex> lock(*net_mu);
        if (events->size() < 100000) events->push_back(e);
    };
    lnx::RunOutcome outcome;
    const int status = launch(policy, request, facts, plan, seccomp, &tracer, std::move(record), &outcome);

    out.files = tracer.take();
    // mxc's own PATH lookup of the command (the sandbox's pid 2 before its
    // execve) runs mxc's executable: name the command instead.
    char self[4096];
    const ssize_t self_len = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_len > 0 && !request.argv.empty()) {
        const std::string own(self, static_cast<std::size_t>(self_len));
        for (auto& f : out.files) {
            if (f.program == own) f.program = request.argv[0];
        }
    }
    if (const std::size_t dropped = tracer.dropped(); dropped != 0) {
        (void)std::fprintf(
            stderr, "mxc: warning: learning: %zu more distinct paths were not recorded (cap)\n", dropped);
    }
    {
        std::lock_guard<std::mutex> lock(*net_mu);
        std::set<std::tuple<std::string, std::uint16_t, std::string>> seen;
        for (const auto& e : *events) {
            if (e.proto == "unix") continue;  // [network].unix, not a destination
            if (!seen.emplace(e.host, e.port, e.proto).second) continue;
            out.hosts.push_back(learn::NetObservation{e.host, e.port, e.proto, e.allowed, ""});
        }
    }
    out.written_to_layer = outcome.layer_writes;
    std::sort(out.written_to_layer.begin(), out.written_to_layer.end());
    out.written_to_layer.erase(std::unique(out.written_to_layer.begin(), out.written_to_layer.end()),
                               out.written_to_layer.end());
    return status;
}

}  // namespace mxc::platform
