#pragma once
// Issue 16.4: after the run, objects the run created under a write root get
// the permissions they inherit, not the ones the sandbox chose (see
// plan/leftover_security.hpp for the decision). "Created by the run" is
// decided by file id against a snapshot taken at launch, not by creation
// time, which the sandbox may set (FILE_WRITE_ATTRIBUTES).
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "platform/windows/apply/win_util.hpp"

namespace mxc::platform::win {

class LeftoverSnapshot {
public:
    // Every object under the roots at launch (file ids), never through a link.
    static LeftoverSnapshot take(const std::vector<std::wstring>& write_roots);

    struct Report {
        int objects = 0;                  // objects reset
        std::vector<std::string> resets;  // "path: why", the first few
        std::vector<std::string> errors;
    };
    // Resets what the run created with its own DACL or label. `run_sid`'s ACEs
    // (mxc's grants) do not count as the sandbox's.
    Report reset_new_objects(const std::string& run_sid) const;

    [[nodiscard]] std::size_t size() const { return ids_.size(); }

private:
    std::vector<std::wstring> roots_;
    std::unordered_set<std::uint64_t> ids_;
};

}  // namespace mxc::platform::win
