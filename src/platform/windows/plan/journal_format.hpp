#pragma once
// The ACL journal's line format, parsed as hostile input. A journal sits in
// %LOCALAPPDATA%\mxc\journal and is replayed at every start with the user's
// full rights, so a line that a sandbox managed to plant there must not be
// able to delete, relabel or re-ACL anything this run did not change. Pure
// (no <windows.h>): unit-tested natively.
//
//   mxc-journal 1 <TAB> <run SID>               header: the SID derived from the file's run id
//   ace <TAB> <\\?\ path>                       remove this run's ACEs from the path
//   ace-link <TAB> <\\?\ path>                  the same on the link object itself (not followed)
//   label <TAB> <\\?\ path> <TAB> <label SDDL>  restore the original label ("" = none)
//   dir <TAB> <\\?\ path>                       remove this run's {tmp} (exactly %TEMP%\mxc-<run id>)
//   appcontainer <TAB> <profile name>           delete this run's AppContainer profile
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mxc::platform::win {

inline constexpr std::size_t kJournalMaxBytes = 1024 * 1024;

enum class JournalOp { Ace, AceOnLink, Label, Dir, AppContainer };

struct JournalEntry {
    JournalOp op = JournalOp::Ace;
    std::string target;  // path (\\?\ form) or AppContainer profile name
    std::string label;   // JournalOp::Label: the original label SDDL
};

struct JournalExpectations {
    std::string run_id;     // from the file name (<run id>.journal)
    std::string temp_root;  // the replaying user's %TEMP% (any form to_extended_path accepts)
};

// 16 to 64 lowercase hex digits: what mxc uses as run ids (and file names).
bool valid_run_id(std::string_view id);
// The labels mxc records as "original": "" or S:[flags](ML;flags;rights;;;level)...
// with only label ACEs, inheritance flags OI CI NP IO ID, rights NW NR NX and a
// level of Medium or above (ME MP HI SI or S-1-16-N with N >= 8192). A Low or
// Untrusted "original" is refused: restoring it would lower a file mxc only
// ever raised back.
bool valid_label_sddl(std::string_view sddl);
// %TEMP%\mxc-<run id> in \\?\ form, the only directory a journal may remove.
Result<std::string> journal_tmp_dir(std::string_view temp_root, std::string_view run_id);
// The per-run AppContainer profile name for `base` ("mxc.<16 hex>") and a run id.
std::string per_run_container_name(std::string_view base, std::string_view run_id);
bool valid_container_name_for(std::string_view name, std::string_view run_id);

// The whole file, or the first reason to refuse it. A refused journal is
// never executed in part.
Result<std::vector<JournalEntry>> parse_journal(std::string_view text, const JournalExpectations& expect);

// The header line for a run (what parse_journal checks).
std::string journal_header(std::string_view run_sid);

}  // namespace mxc::platform::win
