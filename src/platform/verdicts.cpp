// The launch decision and the audit start event from verdicts, for both
// platforms (docs/design.md "Strictness", "Audit log").
#include "platform/verdicts.hpp"

#include <utility>

namespace mxc::platform {

const char* to_string(Severity severity) {
    switch (severity) {
        case Severity::Enforced:
            return "enforced";
        case Severity::Note:
            return "note";
        case Severity::Caveat:
            return "caveat";
        case Severity::Warning:
            return "warning";
        case Severity::Unenforceable:
            return "unenforceable";
        case Severity::Fatal:
            return "fatal";
    }
    return "?";
}

std::string RuleVerdict::subject() const {
    return origin.empty() ? rule : rule + " (" + origin + ")";
}

std::string RuleVerdict::message() const {
    return reason.empty() ? subject() : subject() + ": " + reason;
}

bool Admission::admit(const RuleVerdict& verdict) {
    switch (verdict.severity) {
        case Severity::Enforced:
            // A profile rule by its name (explain has the mechanism); the
            // sandbox's own layers with theirs, which depends on the host.
            enforced_.push_back(verdict.origin.empty() ? verdict.rule + ": " + verdict.mechanism
                                                       : verdict.rule);
            return true;
        case Severity::Note:
            return true;
        case Severity::Caveat:
            warnings_.push_back(verdict.message());
            return true;
        case Severity::Warning:
            stderr_.push_back("warning: " + verdict.message());
            warnings_.push_back(verdict.message());
            return true;
        case Severity::Unenforceable:
            if (best_effort_) {
                stderr_.push_back("warning: not enforced: " + verdict.message());
                warnings_.push_back("not enforced: " + verdict.message());
                return true;
            }
            stderr_.push_back("cannot enforce " + verdict.message() +
                              (verdict.reason.find("--best-effort") != std::string::npos
                                   ? ""
                                   : " (pass --best-effort to run anyway)"));
            return false;
        case Severity::Fatal:
            stderr_.push_back(verdict.message());
            return false;
    }
    return false;
}

bool Admission::admit_all(const std::vector<RuleVerdict>& verdicts) {
    for (const auto& v : verdicts) {
        if (v.severity == Severity::Fatal) return admit(v);
    }
    for (const auto& v : verdicts) {
        if (!admit(v)) return false;
    }
    return true;
}

std::vector<std::string> Admission::take_stderr() {
    return std::exchange(stderr_, {});
}

bool refuses(const std::vector<RuleVerdict>& verdicts, bool best_effort) {
    for (const auto& v : verdicts) {
        if (v.severity == Severity::Fatal || (v.severity == Severity::Unenforceable && !best_effort))
            return true;
    }
    return false;
}

std::vector<std::string> outcome_lines(const std::vector<RuleVerdict>& verdicts) {
    std::vector<std::string> out;
    auto add = [&](Severity a, Severity b, const char* prefix) {
        for (const auto& v : verdicts) {
            if (v.severity == a || v.severity == b) out.push_back(prefix + v.message());
        }
    };
    add(Severity::Note, Severity::Note, "note: ");
    add(Severity::Caveat, Severity::Warning, "warning: ");
    add(Severity::Unenforceable, Severity::Unenforceable, "unenforceable: ");
    add(Severity::Fatal, Severity::Fatal, "error: ");
    return out;
}

audit::StartEvent start_event(std::string profile, std::string profile_sha256, std::vector<std::string> argv,
                              std::string cwd, std::string user, std::string platform,
                              const Admission& admission) {
    audit::StartEvent ev;
    ev.profile = std::move(profile);
    ev.profile_sha256 = std::move(profile_sha256);
    ev.argv = std::move(argv);
    ev.cwd = std::move(cwd);
    ev.user = std::move(user);
    ev.platform = std::move(platform);
    ev.enforced = admission.enforced();
    ev.warnings = admission.warnings();
    return ev;
}

audit::ExitEvent exit_event(int status, int signal, std::string reason, std::uint64_t wall_ms,
                            std::uint64_t cpu_ms, std::uint64_t max_rss_kb) {
    audit::ExitEvent ev;
    ev.status = status;
    ev.signal = signal;
    ev.reason = std::move(reason);
    ev.wall_ms = wall_ms;
    ev.cpu_ms = cpu_ms;
    ev.max_rss_kb = max_rss_kb;
    return ev;
}

}  // namespace mxc::platform
