#include "platform/windows/apply/job_object.hpp"

namespace mxc::platform::win {

Result<JobObject> JobObject::create(const JobSpec& spec,
                                    std::vector<std::pair<std::string, std::string>>& problems) {
    JobObject job;
    // Unnamed: nothing else can open it by name and add or remove processes.
    job.job_.reset(CreateJobObjectW(nullptr, nullptr));
    if (!job.job_.valid()) return win_error("CreateJobObjectW");

    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = spec.limit_flags;
    limits.BasicLimitInformation.ActiveProcessLimit = spec.active_process_limit;
    limits.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart = spec.per_process_user_time_100ns;
    limits.JobMemoryLimit = static_cast<SIZE_T>(spec.job_memory_limit);
    if (!SetInformationJobObject(job.job_.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits))
        return win_error("SetInformationJobObject(extended limits)");

    if (spec.ui_restrictions != 0) {
        JOBOBJECT_BASIC_UI_RESTRICTIONS ui{};
        ui.UIRestrictionsClass = spec.ui_restrictions;
        if (!SetInformationJobObject(job.job_.get(), JobObjectBasicUIRestrictions, &ui, sizeof ui))
            problems.emplace_back("windows job UI restrictions",
                                  win_error_text("SetInformationJobObject(UI restrictions)", GetLastError()));
    }
    return job;
}

Status JobObject::assign(HANDLE process) const {
    if (!AssignProcessToJobObject(job_.get(), process)) return win_error("AssignProcessToJobObject");
    return {};
}

void JobObject::terminate(UINT exit_code) const {
    TerminateJobObject(job_.get(), exit_code);
}

JobUsage JobObject::usage() const {
    JobUsage u;
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION acct{};
    if (QueryInformationJobObject(job_.get(), JobObjectBasicAccountingInformation, &acct, sizeof acct,
                                  nullptr)) {
        u.cpu_ms =
            static_cast<std::uint64_t>(acct.TotalUserTime.QuadPart + acct.TotalKernelTime.QuadPart) / 10000;
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext{};
    if (QueryInformationJobObject(job_.get(), JobObjectExtendedLimitInformation, &ext, sizeof ext, nullptr)) {
        u.peak_memory_kb = ext.PeakJobMemoryUsed / 1024;
    }
    return u;
}

}  // namespace mxc::platform::win
