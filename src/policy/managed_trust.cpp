#include "policy/managed_trust.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace mxc::policy {
namespace {

// st_mode bits, spelt out so this pure code builds without <sys/stat.h>.
constexpr std::uint32_t kTypeMask = 0170000;
constexpr std::uint32_t kLink = 0120000;
constexpr std::uint32_t kDir = 0040000;
constexpr std::uint32_t kRegular = 0100000;
constexpr std::uint32_t kSticky = 01000;
constexpr std::uint32_t kGroupOtherWrite = 0022;

std::string octal(std::uint32_t mode) {
    std::array<char, 16> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(mode & 07777));
    return buf.data();
}

// Access mask bits (winnt.h).
constexpr std::uint32_t kWriteData = 0x2;          // FILE_WRITE_DATA / FILE_ADD_FILE
constexpr std::uint32_t kAppendData = 0x4;         // FILE_APPEND_DATA / FILE_ADD_SUBDIRECTORY
constexpr std::uint32_t kWriteEa = 0x10;           // FILE_WRITE_EA
constexpr std::uint32_t kDeleteChild = 0x40;       // FILE_DELETE_CHILD
constexpr std::uint32_t kWriteAttributes = 0x100;  // FILE_WRITE_ATTRIBUTES
constexpr std::uint32_t kDelete = 0x10000;         // DELETE
constexpr std::uint32_t kWriteDac = 0x40000;       // WRITE_DAC
constexpr std::uint32_t kWriteOwner = 0x80000;     // WRITE_OWNER
constexpr std::uint32_t kGenericAll = 0x10000000;
constexpr std::uint32_t kGenericWrite = 0x40000000;
constexpr std::uint32_t kMaximumAllowed = 0x02000000;

constexpr std::uint32_t kFileWrite = kWriteData | kAppendData | kWriteEa | kDeleteChild | kWriteAttributes |
                                     kDelete | kWriteDac | kWriteOwner | kGenericAll | kGenericWrite |
                                     kMaximumAllowed;
// On a directory above the file: what could replace or re-permission the
// path, not what only adds new names next to it.
constexpr std::uint32_t kDirectoryWrite =
    kDeleteChild | kDelete | kWriteDac | kWriteOwner | kGenericAll | kMaximumAllowed;

constexpr std::array<std::string_view, 3> kTrustedSids = {
    "S-1-5-18",                                                        // LocalSystem
    "S-1-5-32-544",                                                    // BUILTIN\Administrators
    "S-1-5-80-956008885-3159541590-1538181244-2270154530-2295432573",  // TrustedInstaller
};

bool trusted(const std::string& sid) {
    return std::find(kTrustedSids.begin(), kTrustedSids.end(), sid) != kTrustedSids.end();
}

}  // namespace

std::optional<std::string> posix_trust_problem(const PosixEntry& entry, bool last) {
    const std::uint32_t type = entry.mode & kTypeMask;
    if (type == kLink) return "is a symbolic link";
    if (last && type != kRegular) return "is not a regular file";
    if (!last && type != kDir) return "is not a directory";
    if (entry.uid != 0) return "is owned by uid " + std::to_string(entry.uid) + ", not root";
    if ((entry.mode & kGroupOtherWrite) != 0 && (last || (entry.mode & kSticky) == 0))
        return "is writable by group or others (mode " + octal(entry.mode) + ")";
    return std::nullopt;
}

std::optional<std::string> windows_trust_problem(const SecurityDescriptorModel& sd, bool is_directory) {
    if (!trusted(sd.owner_sid)) return "is owned by " + sd.owner_sid + ", not Administrators or SYSTEM";
    if (!sd.has_dacl) return "has no DACL (everyone may write it)";
    const std::uint32_t dangerous = is_directory ? kDirectoryWrite : kFileWrite;
    for (const auto& ace : sd.aces) {
        // Deny entries cannot widen access; ignoring them errs on refusal.
        if (!ace.allow || ace.inherit_only || trusted(ace.sid)) continue;
        if ((ace.mask & dangerous) != 0) {
            std::array<char, 16> mask{};
            (void)std::snprintf(mask.data(), mask.size(), "0x%08x", static_cast<unsigned>(ace.mask));
            return "grants write access (" + std::string(mask.data()) + ") to " + ace.sid;
        }
    }
    return std::nullopt;
}

}  // namespace mxc::policy
