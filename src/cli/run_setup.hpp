#pragma once
// What `mxc exec` and `mxc learn` do alike before the platform takes over:
// resolve the variables, load the profile, and describe the command to run.
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "common/result.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {

struct PreparedRun {
    policy::ResolveContext context;
    policy::ResolvedPolicy policy;
    platform::ExecRequest request;  // argv, cwd, cwd_fallback and session filled
};

// `cwd_flag`: -C/--cwd ("" = the caller's directory, or the workspace with
// -w when the caller's is not visible). The error message is ready to print
// as one or more lines.
Result<PreparedRun> prepare_run(const PolicyOptions& options, const std::vector<std::string>& command,
                                const std::string& cwd_flag, const std::string& session);

}  // namespace mxc::cli
