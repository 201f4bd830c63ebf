#pragma once
// The scene every `mxc learn` test plays in (issue 13) and the runs each
// scenario makes: the control (the command fails under BASE alone), the
// learning run, `mxc check` / `mxc explain` of the learned profile, the run
// under it, and the same command bare.
#include <map>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace mxc::learn_test {

// Planted in ~/.ssh/id_rsa: no output of the learning run nor the learned
// profile may contain it.
inline constexpr const char* kSecret = "MXC-LEARN-SECRET-4b1d";

// One rule the learned profile added, as `mxc explain --json` resolved it.
struct LearnedRule {
    std::string path;    // absolute, ~ and {workspace} expanded
    std::string access;  // "read" | "write" | "deny"
    int line = 0;        // its origin in the learned profile (1-based)
    int col = 0;
};

// A directory tree under /var/tmp (not /tmp: the sandbox gets a private
// /tmp, which would hide the workspace), owned by the test identity:
//   ws/         the workspace (-w) and the commands' current directory
//   home/       $HOME, fresh and empty but for what the scenario plants
//   learned.toml  where `mxc learn -o` writes (outside every rule)
// The commands run with a fixed, minimal environment (env -i), the same for
// bare runs and every mxc run, so their outputs can be compared.
class Scene {
public:
    Scene();
    ~Scene();
    Scene(const Scene&) = delete;
    Scene& operator=(const Scene&) = delete;

    std::string root, ws, home, out_toml;
    std::string base;                        // the BASE profile (tests/learn/profiles/learn-base.toml)
    std::map<std::string, std::string> env;  // added to the fixed environment of every run

    // Files and directories below root, owned by the test identity.
    std::string plant(const std::string& relative, const std::string& content, unsigned mode = 0644) const;
    std::string mkdir(const std::string& relative) const;
    std::string symlink(const std::string& target, const std::string& relative) const;
    void chown_tree(const std::string& path) const;
    // "~/x" for a path below home, else the path itself.
    [[nodiscard]] std::string tilde(const std::string& path) const;

    // The command bare, as the test identity, in cwd (default ws).
    [[nodiscard]] test::RunResult bare(const std::vector<std::string>& command,
                                       const std::string& cwd = {}) const;
    // mxc SUBCOMMAND... with the scene's environment, in cwd (default ws).
    [[nodiscard]] test::RunResult mxc(const std::vector<std::string>& args,
                                      const std::string& cwd = {}) const;
    // mxc exec -p PROFILE -w ws -- COMMAND
    [[nodiscard]] test::RunResult exec(const std::string& profile, const std::vector<std::string>& command,
                                       const std::string& cwd = {}) const;
    // mxc learn -p base -o out_toml -w ws -- COMMAND
    [[nodiscard]] test::RunResult learn(const std::vector<std::string>& command,
                                        const std::string& cwd = {}) const;

    // The rules whose origin is out_toml (from `mxc explain --json -p out_toml`).
    [[nodiscard]] std::vector<LearnedRule> learned_rules() const;

    // Everything below root but the workspace and out_toml (recursively):
    // type, mode, owner, size, mtime, content or link target. Two snapshots
    // compare equal when nothing there changed.
    [[nodiscard]] std::map<std::string, std::string> snapshot_outside_workspace() const;

private:
    [[nodiscard]] std::vector<std::string> env_prefix() const;
    [[nodiscard]] test::RunResult run(std::vector<std::string> argv, const std::string& cwd) const;
};

// The part of the scenario every test shares, in order:
//   (a) control: `mxc exec -p BASE -- COMMAND` fails (status neither 0 nor
//       mxc's own 125), so the learned rules are needed;
//   (b) `mxc learn -p BASE -o OUT -- COMMAND` succeeds, writes OUT, and
//       leaves everything outside the workspace exactly as it was (BASE
//       makes the workspace writable, so writes there are real);
//   (c) `mxc check OUT` passes; `mxc explain -p OUT` shows the learned rules
//       with OUT:line:col origins pointing at the rule's text, each with a
//       comment, and OUT extends BASE.
struct LearnResult {
    test::RunResult learn;
    std::string summary;  // the learning run's stdout + stderr
    std::string profile;  // OUT.toml's text
    std::vector<LearnedRule> rules;
};
LearnResult control_then_learn(const Scene& scene, const std::vector<std::string>& command);

// Prints the learned profile and the summary (for the closing note).
// Called by each test once control_then_learn's INFO context has ended, so
// the message carries nothing else.
void report(const LearnResult& learned);

// (d) `mxc exec -p OUT -- COMMAND` succeeds; returns the run, whose output
// the test compares with a bare run's.
test::RunResult run_learned(const Scene& scene, const std::vector<std::string>& command);
// The bare run every output is compared with; it must succeed.
test::RunResult run_bare(const Scene& scene, const std::vector<std::string>& command);
// True when path is dir or below it.
bool is_at_or_below(const std::string& path, const std::string& dir);

// The learned rule that grants `path` (the most specific one at or above
// it), or nullptr.
const LearnedRule* rule_covering(const std::vector<LearnedRule>& rules, const std::string& path);
// The comment next to (same line) or above a rule in the profile's text.
std::string comment_of(const std::string& profile_text, const LearnedRule& rule);
// The rule as written in the profile (the quoted string at its origin,
// without the quotes), or "" when the origin points elsewhere.
std::string text_of(const std::string& profile_text, const LearnedRule& rule);
// True when text names path as an absolute path or as ~/...
bool mentions(const Scene& scene, const std::string& text, const std::string& path);

std::string profile_path(const std::string& name);  // tests/learn/profiles/<name>

}  // namespace mxc::learn_test
