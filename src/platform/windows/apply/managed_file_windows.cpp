// The managed file's trust walk on Windows (docs/managed.md): the owner and
// DACL of the file and of every directory above it, turned into the model
// policy::windows_trust_problem judges. Reparse points (symlinks,
// junctions) anywhere on the path are refused. The file is opened first
// and judged and read through that handle.
#include <windows.h>

#include <aclapi.h>
#include <knownfolders.h>
#include <shlobj.h>

#include <optional>
#include <string>
#include <vector>

#include "platform/managed_file.hpp"
#include "platform/managed_path.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "policy/managed_trust.hpp"
#include "policy/resolve.hpp"

namespace mxc::platform {
namespace {

using win::LocalPtr;

policy::SecurityDescriptorModel managed_sd_model(PSID owner, PACL dacl) {
    policy::SecurityDescriptorModel model;
    model.owner_sid = owner != nullptr ? win::sid_to_string(owner) : "(no owner)";
    model.has_dacl = dacl != nullptr;
    for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount; ++i) {
        void* raw = nullptr;
        if (!GetAce(dacl, i, &raw)) continue;
        const auto* header = static_cast<const ACE_HEADER*>(raw);
        policy::AceModel ace;
        ace.inherit_only = (header->AceFlags & INHERIT_ONLY_ACE) != 0;
        if (header->AceType == ACCESS_ALLOWED_ACE_TYPE) {
            const auto* a = static_cast<const ACCESS_ALLOWED_ACE*>(raw);
            ace.sid = win::sid_to_string(const_cast<DWORD*>(&a->SidStart));
            ace.mask = a->Mask;
        } else if (header->AceType == ACCESS_DENIED_ACE_TYPE) {
            const auto* d = static_cast<const ACCESS_DENIED_ACE*>(raw);
            ace.sid = win::sid_to_string(const_cast<DWORD*>(&d->SidStart));
            ace.mask = d->Mask;
            ace.allow = false;
        } else {
            // Object and callback entries have no business on these files:
            // counted as granting everything, so the file is refused.
            ace.sid = "(ACE type " + std::to_string(header->AceType) + ")";
            ace.mask = 0xffffffffu;
        }
        model.aces.push_back(std::move(ace));
    }
    return model;
}

Error managed_untrusted(const std::string& file, const std::string& component, const std::string& why) {
    return Error{"managed policy " + file + " is not trusted: " + component + " " + why +
                 "; only Administrators or SYSTEM may be able to change it and every directory above it (see "
                 "docs/managed.md)"};
}

bool managed_absent(DWORD code) {
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND;
}

}  // namespace

std::string default_managed_policy_path() {
    const std::string configured = MXC_MANAGED_POLICY_PATH;
    if (!configured.empty()) return configured;
    // The machine's ProgramData from the known folder, not %ProgramData%:
    // the caller's environment must not choose the file.
    PWSTR folder = nullptr;
    std::string base = "C:\\ProgramData";
    if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &folder)) && folder != nullptr)
        base = win::narrow(folder);
    CoTaskMemFree(folder);
    return base + "\\mxc\\managed.toml";
}

Result<std::optional<std::string>> read_managed_file(const std::string& path) {
    const std::wstring wide = win::widen(path);
    if (wide.size() < 3 || wide[1] != L':' || (wide[2] != L'\\' && wide[2] != L'/'))
        return make_error("managed policy path \"" + path + "\" is not an absolute drive path");

    win::UniqueHandle file(CreateFileW(wide.c_str(), GENERIC_READ | READ_CONTROL, FILE_SHARE_READ, nullptr,
                                       OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!file.valid()) {
        const DWORD code = GetLastError();
        if (managed_absent(code)) return std::optional<std::string>{};
        return win::win_error("managed policy " + path + ": cannot open it", code);
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(file.get(), &info)) return win::win_error("managed policy " + path);
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        return managed_untrusted(path, path, "is a reparse point (symbolic link or junction)");
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0)
        return managed_untrusted(path, path, "is a directory");

    {
        PSID owner = nullptr;
        PACL dacl = nullptr;
        PSECURITY_DESCRIPTOR sd = nullptr;
        const DWORD rc = GetSecurityInfo(file.get(), SE_FILE_OBJECT,
                                         OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                         nullptr, &dacl, nullptr, &sd);
        LocalPtr<void> free_sd(sd);
        if (rc != ERROR_SUCCESS)
            return win::win_error("managed policy " + path + ": reading its owner and ACL", rc);
        if (auto bad = policy::windows_trust_problem(managed_sd_model(owner, dacl), false))
            return managed_untrusted(path, path, *bad);
    }

    // Every directory above it, from the drive root down.
    std::vector<std::wstring> dirs;
    for (std::size_t i = 3; i < wide.size(); ++i) {
        if (wide[i] == L'\\' || wide[i] == L'/') dirs.push_back(wide.substr(0, i));
    }
    dirs.insert(dirs.begin(), wide.substr(0, 3));
    for (const auto& dir : dirs) {
        const std::string name = win::narrow(dir);
        const DWORD attrs = GetFileAttributesW(dir.c_str());
        if (attrs == INVALID_FILE_ATTRIBUTES) return win::win_error("managed policy " + path + ": " + name);
        if ((attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
            return managed_untrusted(path, name, "is a reparse point (symbolic link or junction)");
        PSID owner = nullptr;
        PACL dacl = nullptr;
        PSECURITY_DESCRIPTOR sd = nullptr;
        const DWORD rc = GetNamedSecurityInfoW(dir.c_str(), SE_FILE_OBJECT,
                                               OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                               nullptr, &dacl, nullptr, &sd);
        LocalPtr<void> free_sd(sd);
        if (rc != ERROR_SUCCESS)
            return win::win_error("managed policy " + path + ": reading " + name + "'s ACL", rc);
        if (auto bad = policy::windows_trust_problem(managed_sd_model(owner, dacl), true))
            return managed_untrusted(path, name, *bad);
    }

    LARGE_INTEGER size{};
    if (!GetFileSizeEx(file.get(), &size)) return win::win_error("managed policy " + path);
    if (size.QuadPart > static_cast<LONGLONG>(policy::kMaxProfileBytes))
        return make_error("managed policy " + path + " is larger than " +
                          std::to_string(policy::kMaxProfileBytes) + " bytes");
    std::string text(static_cast<std::size_t>(size.QuadPart), '\0');
    DWORD got = 0;
    if (!text.empty() && !ReadFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &got, nullptr))
        return win::win_error("managed policy " + path + ": read");
    text.resize(got);
    return std::optional<std::string>{std::move(text)};
}

}  // namespace mxc::platform
