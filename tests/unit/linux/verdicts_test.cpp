// platform/verdicts.hpp: the launch decision and the audit start event that
// both platforms build from their plans' verdicts (docs/design.md "Strictness").
#include "platform/verdicts.hpp"

#include <doctest/doctest.h>

using mxc::platform::Admission;
using mxc::platform::RuleVerdict;
using mxc::platform::Severity;

namespace {

RuleVerdict processes() {
    return RuleVerdict{"limits.processes 10", "p.toml:4:1", "none for host root", Severity::Unenforceable,
                       "root is exempt from RLIMIT_NPROC"};
}

}  // namespace

TEST_CASE("strict: an unenforceable rule refuses, naming the rule, its origin and what is missing") {
    Admission a(false);
    CHECK(a.admit(RuleVerdict{"network.mode none", "p.toml:3:1", "own network namespace"}));
    CHECK_FALSE(a.admit(processes()));
    const auto lines = a.take_stderr();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "cannot enforce limits.processes 10 (p.toml:4:1): root is exempt from RLIMIT_NPROC (pass "
          "--best-effort to run anyway)");
    CHECK(a.take_stderr().empty());  // taken once
}

TEST_CASE("a reason that already names --best-effort gets no second hint") {
    Admission a(false);
    RuleVerdict v = processes();
    v.reason += ": run as a normal user or pass --best-effort";
    CHECK_FALSE(a.admit(v));
    CHECK(a.take_stderr()[0].find("(pass --best-effort") == std::string::npos);
}

TEST_CASE("--best-effort: an unenforceable rule warns on stderr and in the audit start event") {
    Admission a(true);
    CHECK(a.admit(processes()));
    const auto lines = a.take_stderr();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "warning: not enforced: limits.processes 10 (p.toml:4:1): root is exempt from RLIMIT_NPROC");
    REQUIRE(a.warnings().size() == 1);
    CHECK(a.warnings()[0] ==
          "not enforced: limits.processes 10 (p.toml:4:1): root is exempt from RLIMIT_NPROC");
    CHECK(a.enforced().empty());
}

TEST_CASE("a fatal verdict refuses even with --best-effort, before any other verdict is looked at") {
    Admission a(true);
    const std::vector<RuleVerdict> verdicts = {
        processes(),
        RuleVerdict{"filesystem.read /srv", "p.toml:2:1", "", Severity::Fatal, "path does not exist"},
    };
    CHECK(mxc::platform::refuses(verdicts, true));
    CHECK_FALSE(a.admit_all(verdicts));
    const auto lines = a.take_stderr();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "filesystem.read /srv (p.toml:2:1): path does not exist");
}

TEST_CASE("refuses: unenforceable only without --best-effort") {
    CHECK(mxc::platform::refuses({processes()}, false));
    CHECK_FALSE(mxc::platform::refuses({processes()}, true));
    CHECK_FALSE(mxc::platform::refuses({RuleVerdict{"a", "", "m"}}, false));
}

TEST_CASE(
    "audit start: enforced names rules, the sandbox own layers with their mechanism, caveats and warnings "
    "are recorded, notes are not") {
    Admission a(false);
    CHECK(a.admit_all({
        RuleVerdict{"filesystem.read /usr", "p.toml:1:1", "read-only bind mount + landlock"},
        RuleVerdict{"filesystem (second layer)", "", "landlock ABI 6"},
        RuleVerdict{"filesystem.read /opt", "p.toml:2:1", "skipped", Severity::Note,
                    "skipped, does not exist"},
        RuleVerdict{"landlock scoping", "", "none", Severity::Caveat, "ABI 5 < 6"},
        RuleVerdict{"filesystem.read /w/l", "p.toml:3:1", "not applied", Severity::Warning, "through a link"},
    }));
    const auto lines = a.take_stderr();
    REQUIRE(lines.size() == 1);  // only the warning is printed
    CHECK(lines[0] == "warning: filesystem.read /w/l (p.toml:3:1): through a link");
    a.record_warning("working directory fell back");
    const auto ev = mxc::platform::start_event("agent", "00", {"true"}, "/w", "u", "linux", a);
    CHECK(ev.profile == "agent");
    CHECK(ev.platform == "linux");
    CHECK(ev.enforced ==
          std::vector<std::string>{"filesystem.read /usr", "filesystem (second layer): landlock ABI 6"});
    CHECK(ev.warnings == std::vector<std::string>{"landlock scoping: ABI 5 < 6",
                                                  "filesystem.read /w/l (p.toml:3:1): through a link",
                                                  "working directory fell back"});
}

TEST_CASE("dry-run outcome lines: notes, then warnings, then unenforceable, then errors") {
    const auto lines = mxc::platform::outcome_lines({
        RuleVerdict{"f", "", "", Severity::Fatal, "x"},
        processes(),
        RuleVerdict{"c", "o", "", Severity::Caveat, "y"},
        RuleVerdict{"n", "", "", Severity::Note, "z"},
        RuleVerdict{"e", "", "m"},
    });
    CHECK(lines == std::vector<std::string>{"note: n: z", "warning: c (o): y",
                                            "unenforceable: limits.processes 10 (p.toml:4:1): root is exempt "
                                            "from RLIMIT_NPROC",
                                            "error: f: x"});
}
