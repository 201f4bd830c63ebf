#pragma once
// One outcome of compiling a policy for this host, on every platform: how a
// rule is enforced, or why it is not. Both plans (Linux and Windows) carry a
// list of these; the functions below turn that list into the launch decision
// (docs/design.md "Strictness": refuse with 125 unless --best-effort) and the
// audit start event, so that both platforms word and record it the same way.
// Portable: no system headers, compiled into both builds.
#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"

namespace mxc::platform {

enum class Severity {
    Enforced,       // the host enforces the rule as `mechanism` says
    Note,           // skipped, superseded or merged: nothing to enforce (printed by --dry-run)
    Caveat,         // enforced, with a limit worth recording in the audit start event
    Warning,        // not applied as written: printed at launch and recorded
    Unenforceable,  // the host lacks `reason`: the launch is refused unless --best-effort
    Fatal,          // refused even with --best-effort (e.g. missing = "error")
};

// "enforced", "note", "caveat", "warning", "unenforceable", "fatal".
const char* to_string(Severity severity);

struct RuleVerdict {
    std::string rule;       // e.g. "filesystem.write /home/u/proj", "limits.processes 64"
    std::string origin;     // Origin::describe(); "" for the sandbox's own layers (no profile rule)
    std::string mechanism;  // what enforces it, e.g. "read-write bind mount + landlock"
    Severity severity = Severity::Enforced;
    // Enforced: ""; otherwise why (what the host lacks, why it was skipped),
    // with the remedy when there is one.
    std::string reason{};

    // False when the launch is refused for it (Unenforceable, Fatal).
    [[nodiscard]] bool enforceable() const {
        return severity != Severity::Unenforceable && severity != Severity::Fatal;
    }
    // "RULE (ORIGIN)", or "RULE" without an origin.
    [[nodiscard]] std::string subject() const;
    // "RULE (ORIGIN): REASON": the one-line message stderr and the audit log show.
    [[nodiscard]] std::string message() const;
};

// The launch decision for one run: verdicts are added as they become known
// (the plan's, then any the applier meets while carrying it out) and each
// answers at once whether the launch goes on.
class Admission {
public:
    explicit Admission(bool best_effort) : best_effort_(best_effort) {}

    // False when the launch must stop with 125: then the last take_stderr()
    // line says why. Otherwise any warning it causes is in take_stderr()
    // and warnings(), and an enforced rule in enforced().
    bool admit(const RuleVerdict& verdict);
    // Fatal verdicts first (they refuse even with --best-effort), then the
    // rest in order; stops at the first refusal.
    bool admit_all(const std::vector<RuleVerdict>& verdicts);

    // Lines for stderr, without the "mxc: " prefix, in order; each taken once.
    std::vector<std::string> take_stderr();
    // What the run's audit start event lists.
    [[nodiscard]] const std::vector<std::string>& enforced() const { return enforced_; }
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    // A caveat known only at launch (the working directory fell back, a
    // guard could not look everywhere): recorded, not printed.
    void record_warning(std::string text) { warnings_.push_back(std::move(text)); }

private:
    bool best_effort_;
    std::vector<std::string> stderr_;
    std::vector<std::string> enforced_;
    std::vector<std::string> warnings_;
};

// Whether these verdicts alone refuse the launch (any Fatal; any
// Unenforceable unless best_effort), without printing anything.
bool refuses(const std::vector<RuleVerdict>& verdicts, bool best_effort);

// The --dry-run lines for what is not simply enforced: "note: ",
// "warning: ", "unenforceable: ", "error: " + message(), grouped in that order.
std::vector<std::string> outcome_lines(const std::vector<RuleVerdict>& verdicts);

// The audit start event both platforms write (docs/design.md "Audit log"):
// `enforced` names each enforced verdict: a profile rule by its rule text,
// the sandbox's own layers (no origin) as "RULE: MECHANISM"; `warnings` has
// every caveat, warning and rule not enforced under --best-effort.
audit::StartEvent start_event(std::string profile, std::string profile_sha256, std::vector<std::string> argv,
                              std::string cwd, std::string user, std::string platform,
                              const Admission& admission);

// The audit exit event: the run's status and what it used.
audit::ExitEvent exit_event(int status, int signal, std::string reason, std::uint64_t wall_ms,
                            std::uint64_t cpu_ms, std::uint64_t max_rss_kb);

}  // namespace mxc::platform
