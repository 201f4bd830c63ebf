#pragma once
// The job every sandboxed process lives in. Closing the last handle kills all
// of them (KILL_ON_JOB_CLOSE), so mxc dying by any means takes the sandbox
// with it.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

struct JobUsage {
    std::uint64_t cpu_ms = 0;
    std::uint64_t peak_memory_kb = 0;
};

class JobObject {
public:
    // Basic limits failing is an error; UI restrictions failing is reported in
    // `problems` (rule, what failed) for the strictness rules to judge.
    static Result<JobObject> create(const JobSpec& spec,
                                    std::vector<std::pair<std::string, std::string>>& problems);

    Status assign(HANDLE process) const;
    void terminate(UINT exit_code) const;
    [[nodiscard]] JobUsage usage() const;
    [[nodiscard]] HANDLE get() const { return job_.get(); }

private:
    UniqueHandle job_;
};

}  // namespace mxc::platform::win
