#pragma once
// What the CLI needs from a platform backend (Linux or Windows). Each backend
// implements these in its own folder; exactly one is linked into mxc.
#include <memory>
#include <string>
#include <vector>

#include "learn/observations.hpp"
#include "platform/verdicts.hpp"
#include "policy/model.hpp"

namespace mxc::audit {
class AuditLog;
}

namespace mxc::platform {

// One host feature, as reported by `mxc doctor`.
struct Capability {
    std::string name;  // e.g. "landlock", "user_namespaces", "cgroup_v2_delegation"
    bool available = false;
    std::string detail;  // e.g. "ABI 7", "not delegated: /sys/fs/cgroup/... not writable"
};

// First step of a run that starts a command (exec, learn), while the
// process is single-threaded: makes the rest of its start cheaper (Linux:
// maps its code and first heap in one call each, apply/startup_pages.hpp).
// Called from a constructor that runs before the C++ library's own (main.cpp),
// so it may use nothing that needs one. Best effort; never fails.
void prepare_process();

// Last step of such a run, after everything it must finish is done and
// right before exit: makes the exit itself cheaper for whoever waits for mxc
// (Linux: the address space is freed by a helper, apply/exit_handoff.hpp).
// Best effort; never fails.
void finish_process();

// The end of `mxc exec` once platform::exec has returned and every host
// change of the run is undone: ends the process with `status` where that is
// cheaper than returning (Linux: stdio flushed, finish_process, then exit
// without destructors, since what is left is only memory: freeing the
// profile, the plan and the parser piece by piece cost 0.1-0.4 ms of every
// run's end). Returns where it is not (Windows), and the caller returns.
void end_exec(int status);

// Work a platform starts before the profile is loaded, so that it runs
// while the profile loads (Linux: the sandbox's init and its namespaces,
// docs/design.md "Startup"). Opaque here; what is not used is undone when
// the last reference goes.
struct EarlyStart;

// Null where there is nothing to start early, or it could not be started
// (the run then does it the ordinary way and reports any failure there).
// Call it while the process is single-threaded. `verbose`: -v was given
// (the early work reports its steps).
std::shared_ptr<EarlyStart> start_early(bool verbose);

struct ExecRequest {
    std::vector<std::string> argv;  // argv[0] is looked up in the sandbox's PATH
    std::string cwd;                // working directory inside the sandbox
    // Where to start instead when `cwd` is not visible in the sandbox (-w
    // without -C: the workspace); "" = no fallback, `cwd` must be visible.
    std::string cwd_fallback;
    std::string session_id;            // exported as MXC_SESSION_ID
    bool dry_run = false;              // print the plan to stdout and exit 0
    audit::AuditLog* audit = nullptr;  // may be null
    // > 0: --die-with-parent; the pid of mxc's parent at startup. The sandbox
    // is torn down when that process dies (exit reason "parent-died").
    long die_with_parent = 0;
    std::shared_ptr<EarlyStart> early;  // from start_early(); may be null
};

std::vector<Capability> probe_host();
// How this host enforces each rule (platform/verdicts.hpp), for `mxc explain`.
std::vector<RuleVerdict> assess(const policy::ResolvedPolicy& policy);

// Runs the command and returns mxc's exit status per docs/design.md: the command's
// own status, 128+N for signal N, 124 wall_time, 125 mxc failure (after
// printing a one-line reason to stderr), 126 not executable, 127 not found.
int exec(const policy::ResolvedPolicy& policy, const ExecRequest& request);

// `mxc learn` (issue 13): runs the command once in the learning sandbox
// derived from `base` (its deny rules hidden, everything else the caller can
// read visible read-only, writes outside its write rules in a throwaway
// layer) and records what it used into `out`. `allow_net`: destinations are
// let through (and recorded) instead of refused. Same exit status as exec();
// Windows: 125 with "not available on Windows".
int learn(const policy::ResolvedPolicy& base, const ExecRequest& request, bool allow_net,
          learn::Observations& out);

// Short platform name for audit events: "linux" or "windows".
const char* platform_name();

}  // namespace mxc::platform
