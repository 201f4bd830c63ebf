#pragma once
// On-disk journal of one run's filesystem changes, in
// %LOCALAPPDATA%\mxc\journal\<run id>.journal. Every change is appended and
// flushed before it is made; restore() undoes them in reverse order.
//
// Liveness without PIDs: the owning run keeps its journal open for writing
// and shares only reading. Another mxc that can open it for DELETE knows the
// owner is gone (crash, kill, power loss) and replays it at start-up. The
// run SID in the journal is all restoration needs: it removes only ACEs that
// name that SID, so concurrent runs never revoke each other's grants.
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"

namespace mxc::platform::win {

class AclJournal {
public:
    static std::wstring default_dir();  // %LOCALAPPDATA%\mxc\journal
    static Result<AclJournal> create(const std::wstring& dir, const std::string& run_id,
                                     const std::string& run_sid);

    AclJournal(AclJournal&&) = default;
    AclJournal& operator=(AclJournal&&) = delete;
    ~AclJournal();

    Status record_ace(const std::wstring& path);
    Status record_label(const std::wstring& path, const std::string& original_sddl);
    Status record_dir(const std::wstring& path);

    // The label to restore for `path`: if another live run already lowered
    // it, that run's recorded original (not the Low label it set).
    Result<std::string> original_label_for(const std::wstring& path) const;

    // Undo everything (reverse order) and delete the journal. Idempotent;
    // returns one message per step that failed.
    std::vector<std::string> restore();

    [[nodiscard]] const std::wstring& path() const { return path_; }

private:
    AclJournal() = default;
    Status append(const std::string& line);

    UniqueHandle file_;
    std::wstring dir_;
    std::wstring path_;
    std::string run_sid_;
    std::vector<std::string> entries_;
    bool restored_ = false;
};

struct ReplayReport {
    int journals = 0;                 // stale journals found and replayed
    std::vector<std::string> errors;  // steps that could not be undone
};

// Replays journals whose owner is gone. Called at every start, before this
// run changes anything.
ReplayReport replay_stale_journals(const std::wstring& dir);

}  // namespace mxc::platform::win
