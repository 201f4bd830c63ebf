#pragma once
// Whether the managed policy file can be trusted (docs/managed.md): only an
// administrator may be able to change it or any directory above it. Pure
// decisions over small models of what the OS reports, so both platforms'
// rules are unit-tested on any host; the readers that fill the models live
// in src/platform (managed_file_linux.cpp, apply/managed_file_windows.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mxc::policy {

// One component of the path as lstat/fstat(O_PATH|O_NOFOLLOW) saw it.
struct PosixEntry {
    std::uint32_t uid = 0;
    std::uint32_t mode = 0;  // st_mode: type and permission bits
};

// Why `entry` makes the file untrustworthy, or nullopt. `last` is the file
// itself; the others are the directories from "/" down. A root-owned
// directory with the sticky bit (/tmp) may be writable by others: they can
// add entries but never rename or remove root's.
std::optional<std::string> posix_trust_problem(const PosixEntry& entry, bool last);

// A security descriptor as GetNamedSecurityInfoW reports it: owner and DACL
// as SID strings ("S-1-5-32-544") and access masks.
struct AceModel {
    std::string sid;
    bool allow = true;
    std::uint32_t mask = 0;
    bool inherit_only = false;  // applies to children, not to this object
};
struct SecurityDescriptorModel {
    std::string owner_sid;
    bool has_dacl = true;  // false: a NULL DACL, which grants everyone everything
    std::vector<AceModel> aces;
};

// Why the object makes the file untrustworthy, or nullopt. Trusted
// principals are SYSTEM, Administrators and TrustedInstaller. For the file
// any write right of anyone else refuses it; for a directory above it,
// creating entries is allowed (C:\ProgramData grants Users that, like a
// sticky /tmp) but deleting, renaming or changing permissions is not.
std::optional<std::string> windows_trust_problem(const SecurityDescriptorModel& sd, bool is_directory);

}  // namespace mxc::policy
