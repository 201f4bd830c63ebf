#pragma once
// Filesystem ACE changes for one run, each journaled before it is made
// (acl_journal.hpp) so a crash can be undone at the next start. The primitive
// operations are free functions because the journal's replay uses them too.
#include <string>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

class AclJournal;

Status add_ace(const std::wstring& path, PSID sid, AceType type, DWORD mask, DWORD inheritance);
// Removes the explicit ACEs naming `sid`; other runs' ACEs (other SIDs) and
// inherited ACEs stay. The OS re-propagates inheritance below `path`.
Status remove_aces_for(const std::wstring& path, PSID sid);
// The same for the link object itself (opened with FILE_FLAG_OPEN_REPARSE_POINT,
// set by handle, no inheritance): a deny rule whose path is a link that a
// sandboxed run could have made (I1) never touches the link's target.
Status add_ace_on_link(const std::wstring& path, PSID sid, AceType type, DWORD mask);
Status remove_aces_on_link(const std::wstring& path, PSID sid);
// Explicit (non-inherited) ACEs on `path` that name `sid`.
Result<int> count_explicit_aces(const std::wstring& path, PSID sid);
// The path's mandatory label as SDDL ("S:(ML;OICI;NW;;;LW)"), "" when it has none.
Result<std::string> read_label(const std::wstring& path);
Status set_label(const std::wstring& path, const std::string& label_sddl);  // "" removes the label
inline constexpr const char* kLowLabelSddl = "S:(ML;OICI;NW;;;LW)";

struct ResolvedGrantPath {
    bool exists = false;
    std::wstring path;  // final path: 8.3 names expanded, junctions/symlinks followed
    std::string note;   // e.g. "junction -> \\?\D:\real"
};
ResolvedGrantPath resolve_grant_path(const std::string& extended_path);

class AclApplier {
public:
    AclApplier(AclJournal& journal, std::string run_sid) : journal_(journal), run_sid_(std::move(run_sid)) {}
    // Applies one planned grant to an existing, resolved path.
    Status apply(const AclGrant& grant, const std::wstring& resolved_path);
    // Creates a directory (the per-run {tmp}) and journals its removal.
    Status create_dir(const std::wstring& path);

private:
    AclJournal& journal_;
    std::string run_sid_;
};

}  // namespace mxc::platform::win
