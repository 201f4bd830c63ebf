#include "platform/windows/apply/acl_grant.hpp"

#include <aclapi.h>
#include <sddl.h>

#include <vector>

#include "platform/windows/apply/acl_journal.hpp"

namespace mxc::platform::win {
namespace {

std::string path_u8(const std::wstring& p) {
    return narrow(p);
}

// SetNamedSecurityInfoW must be told to keep a protected DACL protected:
// silently re-enabling inheritance on, say, a ~/.ssh whose owner turned it off
// would let the parent's ACEs flow in.
SECURITY_INFORMATION dacl_info_keeping_protection(PSECURITY_DESCRIPTOR sd) {
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (sd && GetSecurityDescriptorControl(sd, &control, &revision) && (control & SE_DACL_PROTECTED))
        return DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION;
    return DACL_SECURITY_INFORMATION;
}

// `old_dacl` plus one explicit ACE for `sid`. SetEntriesInAclW keeps
// canonical order: explicit deny before explicit allow, both before
// inherited ACEs.
Result<LocalPtr<void>> with_ace(PACL old_dacl, PSID sid, AceType type, DWORD mask, DWORD inheritance,
                                const std::string& what) {
    EXPLICIT_ACCESS_W ea{};
    ea.grfAccessPermissions = mask;
    ea.grfAccessMode = type == AceType::Allow ? GRANT_ACCESS : DENY_ACCESS;
    ea.grfInheritance = inheritance;
    ea.Trustee.TrusteeForm = TRUSTEE_IS_SID;
    ea.Trustee.TrusteeType = TRUSTEE_IS_WELL_KNOWN_GROUP;
    ea.Trustee.ptstrName = static_cast<LPWSTR>(sid);
    PACL new_dacl = nullptr;
    const DWORD rc = SetEntriesInAclW(1, &ea, old_dacl, &new_dacl);
    LocalPtr<void> owner(new_dacl);
    if (rc != ERROR_SUCCESS) return win_error("building the ACL of " + what, rc);
    return owner;
}

}  // namespace

Status add_ace(const std::wstring& path, PSID sid, AceType type, DWORD mask, DWORD inheritance) {
    PACL old_dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                     nullptr, &old_dacl, nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc != ERROR_SUCCESS) return win_error("reading the ACL of " + path_u8(path), rc);

    auto new_dacl = with_ace(old_dacl, sid, type, mask, inheritance, path_u8(path));
    if (!new_dacl) return new_dacl.error();

    std::wstring mutable_path = path;
    // By name, not by handle: SetNamedSecurityInfoW propagates the inheritable
    // ACE to existing children; SetSecurityInfo on a handle would not.
    rc = SetNamedSecurityInfoW(mutable_path.data(), SE_FILE_OBJECT, dacl_info_keeping_protection(sd), nullptr,
                               nullptr, static_cast<PACL>(new_dacl->get()), nullptr);
    if (rc != ERROR_SUCCESS) return win_error("setting the ACL of " + path_u8(path), rc);
    return {};
}

namespace acl_detail {

// The link object itself, never what it points at.
UniqueHandle open_link_itself(const std::wstring& path, DWORD access) {
    return UniqueHandle(
        CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
}

// `dacl` without the explicit ACEs naming `sid`. Every ACE type mxc writes
// starts with ACE_HEADER + ACCESS_MASK + SID (ACCESS_ALLOWED_ACE layout).
Result<std::vector<BYTE>> without_aces_for(PACL dacl, PSID sid, bool& changed) {
    std::vector<BYTE> buf(dacl->AclSize);
    auto* fresh = reinterpret_cast<PACL>(buf.data());
    if (!InitializeAcl(fresh, static_cast<DWORD>(buf.size()), ACL_REVISION))
        return win_error("InitializeAcl");
    changed = false;
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) return win_error("GetAce");
        auto* header = static_cast<ACE_HEADER*>(ace);
        bool ours = false;
        if ((header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) &&
            !(header->AceFlags & INHERITED_ACE)) {
            auto* a = static_cast<ACCESS_ALLOWED_ACE*>(ace);
            ours = EqualSid(reinterpret_cast<PSID>(&a->SidStart), sid) != FALSE;
        }
        if (ours) {
            changed = true;
            continue;
        }
        if (!AddAce(fresh, ACL_REVISION, MAXDWORD, ace, header->AceSize)) return win_error("AddAce");
    }
    return buf;
}

}  // namespace acl_detail

Status add_ace_on_link(const std::wstring& path, PSID sid, AceType type, DWORD mask) {
    auto h = acl_detail::open_link_itself(path, READ_CONTROL | WRITE_DAC);
    if (!h.valid()) return win_error("opening the link " + path_u8(path));
    PACL old_dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetSecurityInfo(h.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                               &old_dacl, nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc != ERROR_SUCCESS) return win_error("reading the ACL of the link " + path_u8(path), rc);
    auto new_dacl = with_ace(old_dacl, sid, type, mask, NO_INHERITANCE, "the link " + path_u8(path));
    if (!new_dacl) return new_dacl.error();
    // By handle: the link has no children to propagate to, and a name would
    // be resolved through it.
    rc = SetSecurityInfo(h.get(), SE_FILE_OBJECT, dacl_info_keeping_protection(sd), nullptr, nullptr,
                         static_cast<PACL>(new_dacl->get()), nullptr);
    if (rc != ERROR_SUCCESS) return win_error("setting the ACL of the link " + path_u8(path), rc);
    return {};
}

Status remove_aces_on_link(const std::wstring& path, PSID sid) {
    auto h = acl_detail::open_link_itself(path, READ_CONTROL | WRITE_DAC);
    if (!h.valid()) {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) return {};
        return win_error("opening the link " + path_u8(path), err);
    }
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetSecurityInfo(h.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl,
                               nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc != ERROR_SUCCESS) return win_error("reading the ACL of the link " + path_u8(path), rc);
    if (!dacl) return {};
    bool changed = false;
    auto fresh = acl_detail::without_aces_for(dacl, sid, changed);
    if (!fresh) return fresh.error();
    if (!changed) return {};
    rc = SetSecurityInfo(h.get(), SE_FILE_OBJECT, dacl_info_keeping_protection(sd), nullptr, nullptr,
                         reinterpret_cast<PACL>(fresh->data()), nullptr);
    if (rc != ERROR_SUCCESS) return win_error("restoring the ACL of the link " + path_u8(path), rc);
    return {};
}

Status remove_aces_for(const std::wstring& path, PSID sid) {
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                     nullptr, &dacl, nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND) return {};  // gone: nothing to restore
    if (rc != ERROR_SUCCESS) return win_error("reading the ACL of " + path_u8(path), rc);
    if (!dacl) return {};

    bool changed = false;
    auto buf = acl_detail::without_aces_for(dacl, sid, changed);
    if (!buf) return buf.error();
    auto* fresh = reinterpret_cast<PACL>(buf->data());
    if (!changed) return {};
    std::wstring mutable_path = path;
    rc = SetNamedSecurityInfoW(mutable_path.data(), SE_FILE_OBJECT, dacl_info_keeping_protection(sd), nullptr,
                               nullptr, fresh, nullptr);
    if (rc != ERROR_SUCCESS) return win_error("restoring the ACL of " + path_u8(path), rc);
    return {};
}

Result<int> count_explicit_aces(const std::wstring& path, PSID sid) {
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                     nullptr, &dacl, nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc != ERROR_SUCCESS) return win_error("reading the ACL of " + path_u8(path), rc);
    int n = 0;
    for (DWORD i = 0; dacl && i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) continue;
        auto* header = static_cast<ACE_HEADER*>(ace);
        if ((header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) &&
            !(header->AceFlags & INHERITED_ACE) &&
            EqualSid(reinterpret_cast<PSID>(&static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart), sid))
            ++n;
    }
    return n;
}

Result<std::string> read_label(const std::wstring& path) {
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, nullptr,
                                     nullptr, nullptr, nullptr, &sd);
    LocalPtr<void> sd_owner(sd);
    if (rc != ERROR_SUCCESS) return win_error("reading the integrity label of " + path_u8(path), rc);
    wchar_t* text = nullptr;
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, LABEL_SECURITY_INFORMATION,
                                                              &text, nullptr))
        return win_error("ConvertSecurityDescriptorToStringSecurityDescriptorW");
    LocalPtr<wchar_t> text_owner(text);
    std::string s = narrow(text);
    if (s == "S:" || s == "S:NO_ACCESS_CONTROL") s.clear();
    return s;
}

Status set_label(const std::wstring& path, const std::string& label_sddl) {
    PACL sacl = nullptr;
    LocalPtr<void> sd_owner;
    std::vector<BYTE> empty(sizeof(ACL));
    if (label_sddl.empty()) {
        sacl = reinterpret_cast<PACL>(empty.data());
        if (!InitializeAcl(sacl, static_cast<DWORD>(empty.size()), ACL_REVISION))
            return win_error("InitializeAcl");
    } else {
        PSECURITY_DESCRIPTOR sd = nullptr;
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(widen(label_sddl).c_str(), SDDL_REVISION_1,
                                                                  &sd, nullptr))
            return win_error("invalid label " + label_sddl);
        sd_owner.reset(sd);
        BOOL present = FALSE;
        BOOL defaulted = FALSE;
        if (!GetSecurityDescriptorSacl(sd, &present, &sacl, &defaulted))
            return win_error("GetSecurityDescriptorSacl");
    }
    std::wstring mutable_path = path;
    DWORD rc = SetNamedSecurityInfoW(mutable_path.data(), SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, nullptr,
                                     nullptr, nullptr, sacl);
    if (rc != ERROR_SUCCESS) return win_error("setting the integrity label of " + path_u8(path), rc);
    return {};
}

ResolvedGrantPath resolve_grant_path(const std::string& extended_path) {
    ResolvedGrantPath out;
    std::wstring path = widen(extended_path);
    // FILE_FLAG_BACKUP_SEMANTICS opens directories; without
    // FILE_FLAG_OPEN_REPARSE_POINT the open follows junctions and symlinks,
    // so the final path below is the object that will get the ACE.
    UniqueHandle h(CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (!h.valid()) {
        out.path = path;
        return out;
    }
    out.exists = true;
    std::wstring final_path(32768, L'\0');
    DWORD n = GetFinalPathNameByHandleW(h.get(), final_path.data(), static_cast<DWORD>(final_path.size()),
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (n == 0 || n >= final_path.size()) {
        // Older systems / wine without final-path support: at least expand 8.3.
        std::wstring long_path(32768, L'\0');
        DWORD m = GetLongPathNameW(path.c_str(), long_path.data(), static_cast<DWORD>(long_path.size()));
        out.path = (m > 0 && m < long_path.size()) ? long_path.substr(0, m) : path;
    } else {
        out.path = final_path.substr(0, n);
    }
    if (CompareStringOrdinal(out.path.c_str(), -1, path.c_str(), -1, TRUE) != CSTR_EQUAL)
        out.note = "resolved to " + narrow(out.path);
    return out;
}

Status AclApplier::apply(const AclGrant& grant, const std::wstring& resolved_path) {
    auto sid = sid_from_string(grant.trustee_sid);
    if (!sid) return sid.error();
    if (grant.on_link_itself) {
        MXC_TRY(journal_.record_ace_on_link(resolved_path));
        return add_ace_on_link(resolved_path, sid->get(), grant.type, grant.mask);
    }
    // Journal first: if mxc dies between these two lines, the next start
    // removes an ACE that may not exist (harmless), never the reverse.
    MXC_TRY(journal_.record_ace(resolved_path));
    MXC_TRY(add_ace(resolved_path, sid->get(), grant.type, grant.mask, grant.inheritance));
    // Read it back: some file systems and emulators (wine maps DACLs onto
    // Unix mode bits) accept the call and drop the ACE. A grant that did not
    // stick must not be reported as enforced.
    auto present = count_explicit_aces(resolved_path, sid->get());
    if (!present) return present.error();
    if (*present == 0)
        return make_error("the ACE for " + narrow(resolved_path) +
                          " did not persist (this file system or emulator ignores Windows ACLs)");
    if (grant.low_integrity_label) {
        // Read the original, journal it and lower it as one step against
        // other mxc runs doing the same to this path.
        LabelLock lock;
        auto original = journal_.original_label_for(resolved_path);
        if (!original) return original.error();
        // Already Low (or lower), or a label mxc would not know how to put
        // back: the grant works without relabelling, so leave it as it is.
        // A journal never records a Low "original" (journal_format.hpp).
        if (!valid_label_sddl(*original)) return {};
        MXC_TRY(journal_.record_label(resolved_path, *original));
        MXC_TRY(set_label(resolved_path, kLowLabelSddl));
    }
    return {};
}

Status AclApplier::create_dir(const std::wstring& path) {
    DWORD attrs = GetFileAttributesW(path.c_str());
    if (attrs != INVALID_FILE_ATTRIBUTES) return {};  // exists: not ours to remove
    MXC_TRY(journal_.record_dir(path));
    if (!CreateDirectoryW(path.c_str(), nullptr)) return win_error("creating " + narrow(path));
    return {};
}

}  // namespace mxc::platform::win
