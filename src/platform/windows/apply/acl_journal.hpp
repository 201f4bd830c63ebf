#pragma once
// On-disk journal of one run's filesystem changes, in
// %LOCALAPPDATA%\mxc\journal\<run id>.journal. Every change is appended and
// flushed before it is made; restore() undoes them in reverse order.
//
// Liveness without PIDs: the owning run keeps its journal open for writing
// and shares only reading. A journal counts as live only when opening it for
// DELETE fails with a sharing violation; one that opens is a crashed run's
// (kill, power loss) and is replayed at the next start. The run SID in the
// journal is all restoration needs: it removes only ACEs that name that SID,
// so concurrent runs never revoke each other's grants.
//
// The journal is replayed with the user's full rights, so it is hostile input
// (journal_format.hpp): the directory gets a protected DACL (user + SYSTEM)
// and a Medium no-write-up label, journals that are links, hard-linked or too
// large are refused, and a journal with one line mxc would not have written
// is refused whole (renamed to *.rejected, never executed).
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/journal_format.hpp"

namespace mxc::platform::win {

// Serialises label reads and writes across concurrent mxc runs of this user
// (a named mutex), so two runs lowering the same directory agree on which
// label is the original. Best effort: if the mutex cannot be had (another
// process squats the name), mxc proceeds and says so.
class LabelLock {
public:
    LabelLock();
    ~LabelLock();
    LabelLock(const LabelLock&) = delete;
    LabelLock& operator=(const LabelLock&) = delete;
    [[nodiscard]] const std::string& problem() const { return problem_; }

private:
    UniqueHandle mutex_;
    bool held_ = false;
    std::string problem_;
};

class AclJournal {
public:
    static std::wstring default_dir();  // %LOCALAPPDATA%\mxc\journal
    // %TEMP% of this user, the only place a journal's `dir` line may point into.
    static std::wstring temp_root();
    static Result<AclJournal> create(const std::wstring& dir, const std::string& run_id,
                                     const std::string& run_sid);

    AclJournal(AclJournal&&) = default;
    AclJournal& operator=(AclJournal&&) = delete;
    ~AclJournal();

    Status record_ace(const std::wstring& path);
    Status record_ace_on_link(const std::wstring& path);
    Status record_label(const std::wstring& path, const std::string& original_sddl);
    Status record_dir(const std::wstring& path);
    Status record_container(const std::string& profile_name);

    // The label to restore for `path`: if another live run already lowered
    // it, that run's recorded original (not the Low label it set).
    Result<std::string> original_label_for(const std::wstring& path) const;

    // Undo everything (reverse order) and delete the journal. Idempotent;
    // returns one message per step that failed. Every step is tried even when
    // an earlier one fails (a {tmp} the sandbox made undeletable does not
    // keep a label Low).
    std::vector<std::string> restore();

    [[nodiscard]] const std::wstring& path() const { return path_; }
    [[nodiscard]] const std::string& run_id() const { return run_id_; }

private:
    AclJournal() = default;
    Status append(const std::string& line, JournalEntry entry);

    UniqueHandle file_;
    std::wstring dir_;
    std::wstring path_;
    std::string run_id_;
    std::string run_sid_;
    std::vector<JournalEntry> entries_;
    bool restored_ = false;
};

// Creates the journal directory (and its parent) with a protected DACL for the
// user and SYSTEM and a Medium no-write-up label, or re-applies both to an
// existing one. Refuses a directory that is a reparse point.
Status prepare_journal_dir(const std::wstring& dir);

struct ReplayReport {
    int journals = 0;                 // stale journals found and replayed
    int rejected = 0;                 // journals refused as not mxc's (renamed *.rejected)
    std::vector<std::string> errors;  // steps that could not be undone, and why journals were refused
};

// Replays journals whose owner is gone. Called at every start, before this
// run changes anything. `temp_root` is where `dir` lines may point (tests pass
// their own; mxc passes AclJournal::temp_root()).
ReplayReport replay_stale_journals(const std::wstring& dir,
                                   const std::wstring& temp_root = AclJournal::temp_root());

}  // namespace mxc::platform::win
