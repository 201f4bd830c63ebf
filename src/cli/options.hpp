#pragma once
// Plain option structs filled by the CLI11 parser in main.cpp. Subcommand
// implementations only see these, so CLI11 is compiled in one file.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace mxc::platform {
struct EarlyStart;
}

namespace mxc::cli {

// Options shared by exec and explain: which profile, and the flags that merge
// into it as one more layer.
struct PolicyOptions {
    std::string profile = "default";
    std::string workspace;  // "" = current directory
    policy::CliOverrides overrides;
};

struct ExecOptions {
    PolicyOptions policy;
    std::vector<std::string> command;
    std::string cwd;         // -C/--cwd: start directory ("" = the caller's, or the workspace with -w)
    std::string audit_path;  // "" = no audit log; "-" = stderr
    bool dry_run = false;
    bool die_with_parent = false;
    long parent_pid = 0;  // mxc's parent at startup (parent_process_id())
};

// `mxc learn` (issue 13): only -p and -w shape the base, so that the
// learned profile, which extends the base as named, reproduces the run.
struct LearnOptions {
    PolicyOptions policy;
    std::vector<std::string> command;
    std::string cwd;         // -C/--cwd, as for exec
    std::string output;      // -o: "" = stdout
    bool force = false;      // overwrite an existing -o file
    bool allow_net = false;  // --allow-net-learning
};

struct ExplainOptions {
    PolicyOptions policy;
    bool json = false;
};

struct CheckOptions {
    std::vector<std::string> profiles;
};

struct DoctorOptions {
    bool json = false;
};

struct LogOptions {
    std::string file;
    bool follow = false;
    bool json = false;
    bool suggest = false;
    bool toml = false;  // with --suggest: a [network] table instead of the annotated list
};

// `early`: the platform's early start, begun before the options were parsed
// (main.cpp); null to begin it here.
int run_exec(const ExecOptions& options, std::shared_ptr<platform::EarlyStart> early);
int run_learn(const LearnOptions& options);
int run_explain(const ExplainOptions& options);
int run_check(const CheckOptions& options);
int run_profiles();
int run_doctor(const DoctorOptions& options);
int run_log(const LogOptions& options);

}  // namespace mxc::cli
