// Job object limits. KILL_ON_JOB_CLOSE is what makes "mxc dies -> sandbox
// dies" true on Windows: the job handle lives only in mxc.
#include <algorithm>
#include <limits>

#include "platform/windows/plan/plan_parts.hpp"
#include "platform/windows/plan/win_constants.hpp"

namespace mxc::platform::win::detail {

void plan_job(const policy::ResolvedPolicy& policy, WindowsPlan& plan) {
    auto& job = plan.job;
    // DIE_ON_UNHANDLED_EXCEPTION: no WER dialog that would keep a crashed
    // process (and the job) alive waiting for a click nobody will make.
    job.limit_flags = k::kJobLimitKillOnJobClose | k::kJobLimitDieOnUnhandledException;

    const auto& l = policy.limits;
    if (l.processes) {
        job.limit_flags |= k::kJobLimitActiveProcess;
        job.active_process_limit = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(l.processes->value, std::numeric_limits<std::uint32_t>::max()));
        add_verdict(plan, "limits.processes " + std::to_string(l.processes->value), l.processes->origin,
                    "job ACTIVE_PROCESS limit");
    }
    if (l.memory_bytes) {
        job.limit_flags |= k::kJobLimitJobMemory;
        job.job_memory_limit = l.memory_bytes->value;
        add_verdict(plan, "limits.memory " + std::to_string(l.memory_bytes->value), l.memory_bytes->origin,
                    "job JOB_MEMORY limit (committed memory of all processes)");
    }
    if (l.cpu_time) {
        job.limit_flags |= k::kJobLimitProcessTime;
        job.per_process_user_time_100ns = static_cast<std::int64_t>(l.cpu_time->value.count()) * 10000;
        add_verdict(plan, "limits.cpu_time " + std::to_string(l.cpu_time->value.count()) + "ms",
                    l.cpu_time->origin, "job PROCESS_TIME limit (user time per process)");
    }
    if (l.wall_time) {
        job.wall_time = l.wall_time->value;
        add_verdict(plan, "limits.wall_time " + std::to_string(l.wall_time->value.count()) + "ms",
                    l.wall_time->origin, "supervisor timer + TerminateJobObject (exit 124)");
    }
    if (l.open_files) {
        add_unenforceable(
            plan, "limits.open_files " + std::to_string(l.open_files->value), l.open_files->origin, "none",
            "Windows has no per-process handle-count limit: drop the limit or pass --best-effort");
    }
    if (l.file_size_bytes) {
        add_unenforceable(plan, "limits.file_size " + std::to_string(l.file_size_bytes->value),
                          l.file_size_bytes->origin, "none",
                          "Windows has no per-process file size limit (NTFS quotas are per user and volume): "
                          "drop the limit or pass --best-effort");
    }

    job.ui_restrictions = k::kUiHandles | k::kUiGlobalAtoms | k::kUiDesktop | k::kUiExitWindows |
                          k::kUiSystemParameters | k::kUiDisplaySettings;
    if (!policy.windows.clipboard.value) {
        job.ui_restrictions |= k::kUiReadClipboard | k::kUiWriteClipboard;
        add_verdict(plan, "windows.clipboard false", policy.windows.clipboard.origin,
                    "job UI limits READCLIPBOARD|WRITECLIPBOARD");
    }
}

}  // namespace mxc::platform::win::detail
