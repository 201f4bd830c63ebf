#include "platform/windows/apply/restricted_token.hpp"

#include <vector>

namespace mxc::platform::win {
namespace {

Result<std::vector<BYTE>> token_info(HANDLE token, TOKEN_INFORMATION_CLASS cls) {
    DWORD size = 0;
    GetTokenInformation(token, cls, nullptr, 0, &size);
    if (size == 0) return win_error("GetTokenInformation");
    std::vector<BYTE> buf(size);
    if (!GetTokenInformation(token, cls, buf.data(), size, &size)) return win_error("GetTokenInformation");
    return buf;
}

}  // namespace

Result<RestrictedTokenResult> create_restricted_token(const RestrictedTokenSpec& spec) {
    UniqueHandle self;
    // TOKEN_ASSIGN_PRIMARY|DUPLICATE: CreateRestrictedToken derives a primary
    // token usable with CreateProcessAsUserW without SeAssignPrimaryToken.
    if (!OpenProcessToken(GetCurrentProcess(),
                          TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY | TOKEN_QUERY | TOKEN_ADJUST_DEFAULT,
                          self.out()))
        return win_error("OpenProcessToken");

    // Only SIDs the token actually has may be listed as deny-only; the others
    // (Backup Operators on most machines) are skipped.
    auto groups_buf = token_info(self.get(), TokenGroups);
    if (!groups_buf) return groups_buf.error();
    const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(groups_buf->data());

    std::vector<LocalPtr<void>> owned;
    std::vector<SID_AND_ATTRIBUTES> deny_only;
    for (const auto& s : spec.deny_only_sids) {
        auto sid = sid_from_string(s);
        if (!sid) return sid.error();
        for (DWORD i = 0; i < groups->GroupCount; ++i) {
            if (EqualSid(groups->Groups[i].Sid, sid->get())) {
                deny_only.push_back({sid->get(), 0});
                owned.push_back(std::move(*sid));
                break;
            }
        }
    }
    std::vector<SID_AND_ATTRIBUTES> restricting;
    for (const auto& s : spec.restricting_sids) {
        auto sid = sid_from_string(s);
        if (!sid) return sid.error();
        restricting.push_back({sid->get(), 0});
        owned.push_back(std::move(*sid));
    }

    RestrictedTokenResult out;
    if (!CreateRestrictedToken(self.get(), spec.flags, static_cast<DWORD>(deny_only.size()),
                               deny_only.empty() ? nullptr : deny_only.data(), 0, nullptr,
                               static_cast<DWORD>(restricting.size()),
                               restricting.empty() ? nullptr : restricting.data(), out.token.out()))
        return win_error("CreateRestrictedToken");

    if (!spec.integrity_sid.empty()) {
        auto label = sid_from_string(spec.integrity_sid);
        if (!label) return label.error();
        TOKEN_MANDATORY_LABEL tml{};
        tml.Label.Sid = label->get();
        tml.Label.Attributes = SE_GROUP_INTEGRITY;
        if (!SetTokenInformation(out.token.get(), TokenIntegrityLevel, &tml,
                                 sizeof(tml) + GetLengthSid(label->get())))
            out.integrity_problem =
                win_error_text("SetTokenInformation(TokenIntegrityLevel, Low)", GetLastError());
    }
    return out;
}

CallerSids caller_sids() {
    CallerSids out;
    UniqueHandle self;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, self.out())) return out;
    if (auto user = token_info(self.get(), TokenUser)) {
        out.user = sid_to_string(reinterpret_cast<const TOKEN_USER*>(user->data())->User.Sid);
    }
    if (auto groups = token_info(self.get(), TokenGroups)) {
        const auto* g = reinterpret_cast<const TOKEN_GROUPS*>(groups->data());
        for (DWORD i = 0; i < g->GroupCount; ++i) {
            if ((g->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) {
                out.logon = sid_to_string(g->Groups[i].Sid);
                break;
            }
        }
    }
    return out;
}

}  // namespace mxc::platform::win
