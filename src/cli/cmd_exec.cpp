#include <cstdio>
#include <memory>

#include "audit/audit_log.hpp"
#include "audit/open_sinks.hpp"
#include "cli/managed_describe.hpp"
#include "cli/options.hpp"
#include "cli/run_setup.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {

int run_exec(const ExecOptions& options, std::shared_ptr<platform::EarlyStart> early) {
    if (options.die_with_parent && options.parent_pid <= 0) {
        std::fprintf(stderr,
                     "mxc: --die-with-parent is not supported on this platform yet: run without it\n");
        return exit_code::kMxcFailure;
    }
    // Before the profile is loaded: the sandbox's namespaces are created
    // meanwhile (platform.hpp). A dry run needs none.
    if (options.dry_run) {
        early.reset();
    } else if (!early) {
        early = platform::start_early(log::verbose());
    }
    const std::string session = audit::new_session_id();
    auto run = prepare_run(options.policy, options.command, options.cwd, session);
    if (!run) {
        std::fprintf(stderr, "%s\n", run.error().message.c_str());
        return exit_code::kMxcFailure;
    }
    const policy::ResolvedPolicy& policy = run->policy;

    // Every sink is opened before anything runs: one that cannot be opened
    // (a managed one above all) fails the run rather than leaving it unaudited.
    std::unique_ptr<audit::AuditLog> audit_log;
    if (!options.dry_run) {
        auto opened = audit::open_audit_log(policy, options.audit_path, run->context.cwd, session);
        if (!opened) {
            std::fprintf(stderr, "mxc: %s\n", opened.error().message.c_str());
            return exit_code::kMxcFailure;
        }
        audit_log = std::move(*opened);
    }

    platform::ExecRequest& request = run->request;
    request.dry_run = options.dry_run;
    // The plan below is the backend's; what the managed policy did comes first.
    if (options.dry_run && policy.managed) {
        std::printf("%s", describe_managed(*policy.managed).c_str());
        (void)std::fflush(stdout);
    }
    request.audit = audit_log.get();
    if (options.die_with_parent) request.die_with_parent = options.parent_pid;
    request.early = std::move(early);
    const int status = platform::exec(policy, request);
    // The sandbox is gone and the host is as it was (platform::exec undid
    // the rest); the audit log, whose close writes out its last event, is
    // released here, the rest stays memory. So does the early init's
    // handle: its descriptors close with mxc's own, and freeing its launch
    // block (memory the init shared before its execve) cost a cross-CPU TLB
    // flush, 0.1 ms, at the end of every run.
    request.audit = nullptr;
    audit_log.reset();
    platform::end_exec(status);
    return status;
}

}  // namespace mxc::cli
