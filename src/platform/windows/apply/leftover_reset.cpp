#include "platform/windows/apply/leftover_reset.hpp"

#include <aclapi.h>

#include <functional>

#include "platform/windows/apply/safe_remove.hpp"
#include "platform/windows/plan/leftover_security.hpp"

namespace mxc::platform::win {
namespace leftover_detail {

constexpr std::size_t kReportedResets = 20;

struct Security {
    bool ok = false;
    bool dacl_protected = false;
    int explicit_aces = 0;
    bool explicit_label = false;
};

Security read_security(HANDLE h, PSID run_sid) {
    Security out;
    PACL dacl = nullptr;
    PACL sacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    DWORD rc = GetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION,
                               nullptr, nullptr, &dacl, &sacl, &sd);
    LocalPtr<void> owner(sd);
    if (rc != ERROR_SUCCESS) return out;
    out.ok = true;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (GetSecurityDescriptorControl(sd, &control, &revision))
        out.dacl_protected = (control & SE_DACL_PROTECTED) != 0;
    for (DWORD i = 0; dacl && i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) continue;
        auto* header = static_cast<ACE_HEADER*>(ace);
        if (header->AceFlags & INHERITED_ACE) continue;
        bool mxc_grant =
            (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) &&
            EqualSid(reinterpret_cast<PSID>(&static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart), run_sid);
        if (!mxc_grant) ++out.explicit_aces;
    }
    for (DWORD i = 0; sacl && i < sacl->AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(sacl, i, &ace)) continue;
        auto* header = static_cast<ACE_HEADER*>(ace);
        if (header->AceType == SYSTEM_MANDATORY_LABEL_ACE_TYPE && !(header->AceFlags & INHERITED_ACE))
            out.explicit_label = true;
    }
    return out;
}

// An empty explicit DACL with inheritance on: what the parent passes down.
// By name for real files and directories (the OS recomputes the inherited
// ACEs and propagates to children); a link is reset through its handle.
DWORD reset_dacl(const WalkEntry& e) {
    ACL empty{};
    if (!InitializeAcl(&empty, sizeof empty, ACL_REVISION)) return GetLastError();
    const SECURITY_INFORMATION info = DACL_SECURITY_INFORMATION | UNPROTECTED_DACL_SECURITY_INFORMATION;
    if (e.reparse_point)
        return SetSecurityInfo(e.handle, SE_FILE_OBJECT, info, nullptr, nullptr, &empty, nullptr);
    std::wstring path = e.path;
    return SetNamedSecurityInfoW(path.data(), SE_FILE_OBJECT, info, nullptr, nullptr, &empty, nullptr);
}

DWORD reset_label(const WalkEntry& e) {
    ACL empty{};
    if (!InitializeAcl(&empty, sizeof empty, ACL_REVISION)) return GetLastError();
    const SECURITY_INFORMATION info = LABEL_SECURITY_INFORMATION | UNPROTECTED_SACL_SECURITY_INFORMATION;
    if (e.reparse_point)
        return SetSecurityInfo(e.handle, SE_FILE_OBJECT, info, nullptr, nullptr, nullptr, &empty);
    std::wstring path = e.path;
    return SetNamedSecurityInfoW(path.data(), SE_FILE_OBJECT, info, nullptr, nullptr, nullptr, &empty);
}

}  // namespace leftover_detail

LeftoverSnapshot LeftoverSnapshot::take(const std::vector<std::wstring>& write_roots) {
    LeftoverSnapshot s;
    s.roots_ = write_roots;
    // Files are seen in their directory's listing; only directories are opened.
    const std::function<bool(std::uint64_t)> never = [](std::uint64_t) { return false; };
    for (const auto& root : write_roots)
        walk_no_follow(
            root, 0,
            [&](const WalkEntry& e) {
                if (e.file_id) s.ids_.insert(e.file_id);
            },
            never);
    return s;
}

LeftoverSnapshot::Report LeftoverSnapshot::reset_new_objects(const std::string& run_sid) const {
    Report report;
    auto sid = sid_from_string(run_sid);
    if (!sid) {
        report.errors.push_back(sid.error().message);
        return report;
    }
    for (const auto& root : roots_) {
        // Only new objects are opened (directories are, to be listed).
        const std::function<bool(std::uint64_t)> is_new = [&](std::uint64_t id) {
            return ids_.count(id) == 0;
        };
        auto visit = [&](const WalkEntry& e) {
            ObjectSecurityFacts f;
            f.is_root = e.path == root;
            f.created_during_run = e.file_id != 0 && ids_.count(e.file_id) == 0;
            if (f.is_root || !f.created_during_run || !e.handle) return;
            auto sec = leftover_detail::read_security(e.handle, sid->get());
            if (!sec.ok) {
                report.errors.push_back(
                    win_error_text("reading the security of " + narrow(e.path), GetLastError()));
                return;
            }
            f.dacl_protected = sec.dacl_protected;
            f.explicit_aces = sec.explicit_aces;
            f.explicit_label = sec.explicit_label;
            auto d = decide_leftover(f);
            if (!d.reset_dacl && !d.reset_label) return;
            DWORD rc = ERROR_SUCCESS;
            if (d.reset_dacl) rc = leftover_detail::reset_dacl(e);
            if (rc == ERROR_SUCCESS && d.reset_label) rc = leftover_detail::reset_label(e);
            if (rc != ERROR_SUCCESS) {
                report.errors.push_back(win_error_text("resetting the permissions of " + narrow(e.path), rc));
                return;
            }
            ++report.objects;
            if (report.resets.size() < leftover_detail::kReportedResets)
                report.resets.push_back(narrow(e.path) + ": " + d.why);
        };
        auto errors = walk_no_follow(root, READ_CONTROL | WRITE_DAC | WRITE_OWNER, visit, is_new);
        for (auto& e : errors) report.errors.push_back(std::move(e));
    }
    return report;
}

}  // namespace mxc::platform::win
