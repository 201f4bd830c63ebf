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
#include "platform/verdicts.hpp"
#include "policy/model.hpp"

namespace mxc::lnx {

// One symlink met while resolving a rule path.
struct LinkHop {
    std::string at;      // where the link itself lives (its parent fully resolved)
    std::string target;  // what it points to, as stored in the link
};

// What a rule path turned into on the host (resolved one component at a
// time with lstat, never following a link without recording it).
struct PathFact {
    bool exists = false;
    std::string resolved;        // the path the rule applies to, if every link is trusted
    bool is_dir = false;         // type of the resolved target
    std::string link_target;     // readlink() when the rule path itself is a symlink
    std::vector<LinkHop> links;  // every symlink followed, in order
};

// A writable cgroup v2 directory whose memory controller we may use.
struct CgroupFacts {
    bool delegated = false;
    std::string dir;     // absolute path of our own cgroup (e.g. /sys/fs/cgroup/user.slice/...)
    std::string reason;  // why not delegated, or how it was found
};

// Where a per-run pids cgroup for limits.processes can be created. Needed
// because the kernel exempts uid 0 from RLIMIT_NPROC: for root callers a pids
// cgroup is the only process limit that binds.
struct PidsCgroupFacts {
    std::string v2_parent;  // cgroup v2 directory with a usable pids controller; "" if none
    std::string v1_parent;  // writable directory in the cgroup v1 pids hierarchy; "" if none
    std::string reason;     // why neither is usable, or how they were found
};

// One mount of the host (/proc/self/mountinfo), for the learning sandbox.
struct HostMount {
    std::string target;  // mount point, octal escapes decoded
    std::string fstype;
};

// Everything compile_plan needs from outside: host capabilities and the
// caller's launch context. Gathered by gather_host_facts() (host_facts.cpp).
struct HostFacts {
    int landlock_abi = 0;  // 0 = no Landlock
    bool user_namespaces = false;
    std::string user_namespaces_detail;
    bool seccomp = false;
    CgroupFacts cgroup;
    PidsCgroupFacts pids_cgroup;
    // Every directory where a per-run cgroup of mxc can be left behind by a
    // SIGKILLed run (our v2 cgroup, the v2 root, our v1 pids cgroup): the
    // supervisor sweeps them once per start. Observed with the rest of the
    // cgroup facts, from one read of /proc/self/{cgroup,mountinfo}.
    std::vector<std::string> cgroup_sweep_dirs;
    unsigned uid = 0;
    unsigned gid = 0;
    // Keyed by path: every rule path, and every root of
    // policy::writable_area_roots() (to know where links are untrusted).
    std::map<std::string, PathFact> paths;
    std::vector<std::string> environ;  // caller's "NAME=VALUE" entries
    std::string session_id;
    std::string cwd;                    // working directory for the command
    std::string cwd_fallback;           // used when cwd is not visible in the sandbox ("" = none)
    std::uint64_t nofile_hard = ~0ULL;  // RLIMIT_NOFILE hard limit of the caller
    std::string terminal;               // the caller's terminal device if fd 0/1/2 is one (e.g. /dev/pts/3)
    std::uint64_t ram_bytes = 0;        // physical RAM (sysinfo totalram); 0 = unknown
    // The host's mounts, in mountinfo order: gathered for `mxc learn` only.
    std::vector<HostMount> host_mounts;
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
    Generated,  // a file mxc writes (`content`), bound read-only over the path; a
                // symlink there is followed inside the sandbox's root
    LearnView,  // learning (issue 13): the host's directories, each below a throwaway
                // overlay (LinuxPlan::learning); right after RootTmpfs
};

const char* to_string(MountKind kind);

// Where a link found on a rule's path is untrusted: every area a sandboxed run
// can write (policy::writable_area_roots), also in its resolved form, since
// links are recorded where they physically live.
std::vector<std::string> untrusted_areas(const policy::ResolvedPolicy& policy, const HostFacts& facts);

struct MountOp {
    MountKind kind = MountKind::RootTmpfs;
    std::string source;  // host path (binds), symlink text (Symlink), caller's terminal (Dev)
    std::string target;  // path inside the sandbox
    bool is_dir = true;
    std::string why;  // rule text and origin, for --dry-run / errors
    // tmpfs size= in bytes: Tmp (/tmp), and Dev for its /dev/shm. 0 = none
    // given (the kernel's default, half of RAM).
    std::uint64_t size = 0;
    std::string content{};  // Generated: the file's bytes
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
    std::string parent;            // delegated directory
    std::string leaf;              // child cgroup created for this run
    std::uint64_t memory_max = 0;  // 0: no memory limit in this leaf
    std::uint64_t pids_max = 0;    // 0: no pids limit in this leaf
};

// limits.processes through the cgroup v1 pids hierarchy (hybrid hosts, whose
// cgroup v2 has no controllers). CLONE_INTO_CGROUP only knows v2, so the
// supervisor moves init in while init waits, before it can fork anything.
struct PidsV1Plan {
    std::string parent;  // directory in the pids hierarchy (our own pids cgroup)
    std::string leaf;    // child cgroup created for this run
    std::uint64_t pids_max = 0;
};

// network.mode = "allowlist": the sandbox keeps its own loopback-only network
// namespace; init opens the listener there and hands it to the supervisor,
// which serves the egress proxy on it from the host namespace.
struct ProxyPlan {
    // Fixed: the namespace is fresh, so nothing else can hold the port, and a
    // fixed port keeps --dry-run output and the proxy variables predictable.
    static constexpr std::uint16_t kDefaultPort = 3128;
    std::uint16_t port = kDefaultPort;  // on 127.0.0.1 inside the sandbox's namespace
    std::vector<net::HostRule> allow;   // network.allow / network.deny, parsed by the resolver
    std::vector<net::HostRule> deny;
    std::string profile_name;  // named in denial messages
    std::string no_proxy;      // NO_PROXY value given to the command
};

// The sandbox's DNS stub (issue 11), in both modes with an own network
// namespace: init binds 127.0.0.1:53 (UDP and TCP) there and hands both
// sockets to the supervisor, which answers names an allow rule covers and
// refuses every other name at once (network = "none": every name). The
// sandbox's /etc/resolv.conf and /etc/hosts are generated (MountKind::Generated).
struct DnsPlan {
    std::string profile_name;  // named in refusals (Extended DNS Error text)
    std::string resolv_conf;   // the sandbox's /etc/resolv.conf
    std::string hosts;         // the sandbox's /etc/hosts: localhost only
};

// A [network].unix entry: connect() to a pathname socket at or below `path`
// (as the sandbox sees it) is made by the broker (issue 11).
struct UnixSocketRule {
    std::string path;
    std::string why;  // rule text and origin
};

// The connect broker (issue 11), in both modes with an own network namespace:
// a seccomp user-notification filter hands connect() (and listen(), and
// sendto/sendmsg with MSG_FASTOPEN) to the supervisor, which decides with the
// same matcher as the proxy and, when allowed, connects from the host's
// namespace and installs that socket in place of the sandbox's.
struct BrokerPlan {
    std::vector<net::HostRule> allow;  // network.allow / network.deny, parsed (none mode: empty)
    std::vector<net::HostRule> deny;
    std::vector<UnixSocketRule> unix_sockets;
    // mxc's own listeners on the sandbox's loopback (the egress proxy, the
    // DNS stub): connects to them stay inside even when a rule opens the
    // host's loopback on the same port.
    std::vector<std::uint16_t> own_ports;
};

// A protected path (a read rule inside a write rule) that did not exist at
// launch: no mount covers it, so the run could create it. After the run,
// whatever is there is removed (issue 10, I3).
struct AbsentProtected {
    std::string path;  // the rule path
    std::string root;  // the write rule's host directory (resolved at launch)
    std::string rel;   // path below root
    std::string why;   // rule text and origin
    // Below a .git directory: when the run creates that repository itself,
    // the path is its own, and the repository is reported instead.
    bool inside_git = false;
};

// A write rule whose directory does not exist yet (issue 12, item 3): the
// applier creates it (mode 0700, no link followed below `base`) before the
// launch, then observes the host again and recompiles.
struct CreateDir {
    std::string path;  // the rule path
    std::string base;  // the caller's home or the workspace, whichever holds it (deepest)
    std::string why;   // rule text and origin
};

// `mxc learn` (issue 13; docs/design.md "Learning sandbox"): the same plan
// as exec under the base profile, plus this. Everything the caller can read
// is shown read-only at its own path with a throwaway overlay on top; the
// base profile's mounts (write rules real, deny rules masked) come after it.
struct LearningPlan {
    // Every host mount point (the view overlays directories with no mount
    // below them, and builds read-only scaffolding above mount points).
    std::vector<std::string> mount_points;
    // Directories that are overlays of their own, mounted on top of the
    // overlay that holds them: the caller's home, the workspace, the working
    // directory, /var/tmp. Unprivileged, overlayfs cannot copy up a directory
    // whose owner is not mapped in the user namespace (root's /var/tmp, the
    // parents of a home): an overlay's own root needs no copy-up, so writes
    // there still land in the layer (docs/design.md "Learning sandbox").
    std::vector<std::string> split_points;
    // Not shown from the host at all: the sandbox mounts its own there, or
    // they are kernel filesystems.
    std::vector<std::string> hidden;
    // --allow-net-learning: the broker, proxy and DNS stub allow every
    // destination but the host's loopback and link-local (never from a profile).
    bool allow_everything = false;
    std::string tmp_dir;  // {tmp}: not recorded
    // size= of the tmpfs holding the throwaway layers: /tmp's (0: the
    // kernel's default, half of RAM), so the layers are bounded like /tmp.
    std::uint64_t layer_size = 0;
};

struct LinuxPlan {
    // Every outcome of the compile, typed (platform/verdicts.hpp): how each
    // rule is enforced, the sandbox's own mechanisms, notes for --dry-run,
    // caveats for the audit log, and what refuses the launch (Unenforceable
    // unless best_effort, Fatal always). `mxc explain` lists them.
    std::vector<platform::RuleVerdict> verdicts;

    bool best_effort = false;
    bool new_net = true;               // own network namespace (modes none and allowlist)
    std::optional<ProxyPlan> proxy;    // allowlist only
    std::optional<BrokerPlan> broker;  // none and allowlist
    std::optional<DnsPlan> dns;        // none and allowlist
    unsigned uid = 0;                  // mapped to itself inside the user namespace
    unsigned gid = 0;
    std::vector<MountOp> mounts;  // in order; parents before children
    LandlockPlan landlock;
    std::vector<RlimitSetting> rlimits;
    // HostFacts::cgroup_sweep_dirs: swept once before the leaves are created.
    std::vector<std::string> cgroup_sweep_dirs;
    std::optional<CgroupPlan> cgroup;   // cgroup v2 leaf: memory and/or pids
    std::optional<PidsV1Plan> pids_v1;  // cgroup v1 pids leaf (hybrid hosts)
    std::vector<std::string> env;       // exact environment of the command
    std::string cwd;
    // Set when the caller's directory is not visible and the plan starts in
    // cwd_fallback instead: the message for -v, --dry-run and the audit log.
    std::string cwd_note;
    std::optional<std::chrono::milliseconds> wall_time;
    // limits.memory without a memory cgroup: the supervisor ends the run when
    // the resident memory of all the sandbox's processes exceeds this (0: off).
    std::uint64_t memory_watch_bytes = 0;
    std::chrono::milliseconds memory_watch_period{250};
    std::chrono::milliseconds kill_grace{2000};
    long parent_pid = 0;  // --die-with-parent: end the sandbox when this process (mxc's parent) dies
    std::vector<AbsentProtected> must_stay_absent;  // checked and cleaned after the run
    std::vector<CreateDir> create_dirs;             // missing write-rule directories to create first
    std::optional<LearningPlan> learning;           // `mxc learn` only
};

LinuxPlan compile_plan(const policy::ResolvedPolicy& policy, const HostFacts& facts);

// Turns an exec plan of the base profile into the learning plan (plan_learning.cpp):
// adds the LearnView after the root, drops Landlock (it would block the very
// reads learning is there to see; the mounts are the boundary).
void compile_learning(const policy::ResolvedPolicy& policy, const HostFacts& facts, bool allow_net,
                      LinuxPlan& plan);

// The command's environment per [env]: pass globs minus deny globs, then set,
// then MXC_SESSION_ID. Sorted by name.
std::vector<std::string> compile_env(const policy::EnvRules& rules,
                                     const std::vector<std::string>& caller_env,
                                     const std::string& session_id);

// Points the command at the egress proxy: sets HTTP_PROXY, HTTPS_PROXY,
// ALL_PROXY, NO_PROXY (both cases) in `env`, replacing any inherited or [env]
// value of those names, and keeps `env` sorted by name.
void add_proxy_env(const ProxyPlan& proxy, std::vector<std::string>& env);

// network = "none": npm_config_fetch_retries=0 unless already set, so npm
// fails at the refused lookup instead of retrying for 70 s. Keeps `env`
// sorted by name.
void add_no_network_env(std::vector<std::string>& env);

// Multi-line human-readable plan (what --dry-run prints, seccomp excluded).
std::string format_plan(const LinuxPlan& plan);

}  // namespace mxc::lnx
