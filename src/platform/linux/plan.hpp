#pragma once
// The Linux plan: everything the applier will do, as plain printable data.
// compile_plan() is a pure function of the resolved policy and HostFacts (what
// was observed on the host at launch); it does no I/O, so every decision about
// mounts, Landlock, limits and environment is unit-tested without privileges.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/platform.hpp"
#include "policy/model.hpp"

namespace mxc::lnx {

// What a rule path turned into on the host (realpath + lstat at launch).
struct PathFact {
    bool exists = false;
    std::string resolved;     // realpath(); the path the rule applies to
    bool is_dir = false;      // type of the resolved target
    std::string link_target;  // readlink() when the rule path itself is a symlink
};

// A writable cgroup v2 directory whose memory controller we may use.
struct CgroupFacts {
    bool delegated = false;
    std::string dir;     // absolute path of our own cgroup (e.g. /sys/fs/cgroup/user.slice/...)
    std::string reason;  // why not delegated, or how it was found
};

// Everything compile_plan needs from outside: host capabilities and the
// caller's launch context. Gathered by gather_host_facts() (host_facts.cpp).
struct HostFacts {
    int landlock_abi = 0;  // 0 = no Landlock
    bool user_namespaces = false;
    std::string user_namespaces_detail;
    bool seccomp = false;
    bool pidfd = false;
    bool mount_setattr = false;
    CgroupFacts cgroup;
    unsigned uid = 0;
    unsigned gid = 0;
    std::map<std::string, PathFact> paths;  // keyed by PathRule::path
    std::vector<std::string> environ;       // caller's "NAME=VALUE" entries
    std::string session_id;
    std::string cwd;                    // working directory for the command
    std::uint64_t nofile_hard = ~0ULL;  // RLIMIT_NOFILE hard limit of the caller
    std::string terminal;               // the caller's terminal device if fd 0/1/2 is one (e.g. /dev/pts/3)
};

enum class MountKind {
    RootTmpfs,  // the empty root everything else is mounted on
    BindRo,     // read rule: bind, then read-only|nosuid|nodev (recursive)
    BindRw,     // write rule: bind, nosuid|nodev
    MaskDir,    // deny rule on a directory: empty tmpfs, read-only
    MaskFile,   // deny rule on a file: empty read-only file bound over it
    Proc,       // fresh procfs for the sandbox pid namespace
    Dev,        // minimal /dev (device binds, devpts, shm)
    Tmp,        // private /tmp tmpfs
    TmpDir,     // {tmp}: a directory created inside the sandbox only
    Symlink,    // recreate a symlinked rule path (e.g. /bin -> usr/bin)
};

const char* to_string(MountKind kind);

struct MountOp {
    MountKind kind = MountKind::RootTmpfs;
    std::string source;  // host path (binds), symlink text (Symlink), caller's terminal (Dev)
    std::string target;  // path inside the sandbox
    bool is_dir = true;
    std::string why;  // rule text and origin, for --dry-run / errors
};

// Landlock access bits, defined here because distribution headers lag the
// kernel (Debian 12 stops at ABI 2; we use up to ABI 6).
namespace landlock_bits {
inline constexpr std::uint64_t kExecute = 1ULL << 0;
inline constexpr std::uint64_t kWriteFile = 1ULL << 1;
inline constexpr std::uint64_t kReadFile = 1ULL << 2;
inline constexpr std::uint64_t kReadDir = 1ULL << 3;
inline constexpr std::uint64_t kRemoveDir = 1ULL << 4;
inline constexpr std::uint64_t kRemoveFile = 1ULL << 5;
inline constexpr std::uint64_t kMakeChar = 1ULL << 6;
inline constexpr std::uint64_t kMakeDir = 1ULL << 7;
inline constexpr std::uint64_t kMakeReg = 1ULL << 8;
inline constexpr std::uint64_t kMakeSock = 1ULL << 9;
inline constexpr std::uint64_t kMakeFifo = 1ULL << 10;
inline constexpr std::uint64_t kMakeBlock = 1ULL << 11;
inline constexpr std::uint64_t kMakeSym = 1ULL << 12;
inline constexpr std::uint64_t kRefer = 1ULL << 13;             // ABI 2
inline constexpr std::uint64_t kTruncate = 1ULL << 14;          // ABI 3
inline constexpr std::uint64_t kIoctlDev = 1ULL << 15;          // ABI 5
inline constexpr std::uint64_t kNetBindTcp = 1ULL << 0;         // ABI 4
inline constexpr std::uint64_t kNetConnectTcp = 1ULL << 1;      // ABI 4
inline constexpr std::uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
inline constexpr std::uint64_t kScopeSignal = 1ULL << 1;        // ABI 6
// Rights that make sense on a non-directory (the kernel rejects the rest).
inline constexpr std::uint64_t kFileOnly = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;
}  // namespace landlock_bits

// Every filesystem right the given ABI knows (what the ruleset "handles").
std::uint64_t landlock_fs_rights(int abi);
// Human-readable list of rights, e.g. "execute,read_file,read_dir".
std::string describe_landlock_access(std::uint64_t access);

struct LandlockRule {
    std::string path;  // inside the sandbox
    std::uint64_t access = 0;
    bool is_dir = true;
    std::string why;
};

struct LandlockPlan {
    bool enabled = false;
    int abi = 0;
    std::uint64_t handled_fs = 0;
    std::uint64_t handled_net = 0;
    std::uint64_t scoped = 0;
    std::vector<LandlockRule> rules;
};

struct RlimitSetting {
    int resource = 0;         // RLIMIT_*
    std::string name;         // "RLIMIT_NPROC"
    std::uint64_t value = 0;  // soft = hard = value
    std::string why;
};

struct CgroupPlan {
    std::string parent;  // delegated directory
    std::string leaf;    // child cgroup created for this run
    std::uint64_t memory_max = 0;
};

struct LinuxPlan {
    // Rules that cannot be enforced here, one message each. Non-empty means
    // the launch is refused (125) unless best_effort, which turns them into
    // warnings.
    std::vector<std::string> unenforceable;
    std::vector<std::string> fatal;     // errors independent of best_effort (missing = "error")
    std::vector<std::string> warnings;  // caveats recorded in the audit start event
    std::vector<std::string> enforced;  // one line per mechanism, for the audit start event
    std::vector<std::string> notes;     // skipped / superseded rules, printed by --dry-run

    bool best_effort = false;
    bool new_net = true;  // own network namespace (mode none)
    unsigned uid = 0;     // mapped to itself inside the user namespace
    unsigned gid = 0;
    std::vector<MountOp> mounts;  // in order; parents before children
    LandlockPlan landlock;
    std::vector<RlimitSetting> rlimits;
    std::optional<CgroupPlan> cgroup;
    std::vector<std::string> env;  // exact environment of the command
    std::string cwd;
    std::optional<std::chrono::milliseconds> wall_time;
    std::chrono::milliseconds kill_grace{2000};
    std::vector<platform::RuleVerdict> verdicts;  // for `mxc explain`
};

LinuxPlan compile_plan(const policy::ResolvedPolicy& policy, const HostFacts& facts);

// The command's environment per [env]: pass globs minus deny globs, then set,
// then MXC_SESSION_ID. Sorted by name.
std::vector<std::string> compile_env(const policy::EnvRules& rules,
                                     const std::vector<std::string>& caller_env,
                                     const std::string& session_id);

// Multi-line human-readable plan (what --dry-run prints, seccomp excluded).
std::string format_plan(const LinuxPlan& plan);

}  // namespace mxc::lnx
