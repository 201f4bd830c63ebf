#pragma once
// The Windows plan: everything the applier will do, as plain data. Built by a
// pure function from a ResolvedPolicy plus a few host facts, so it is unit-
// tested on Linux and printed by `mxc exec --dry-run`. No <windows.h> here:
// numeric values are in win_constants.hpp.
//
// Identity model: every run gets a random run id. From it the compiler derives
// a per-run capability SID (S-1-15-3-1024-...). That SID is the trustee of every
// ACE mxc adds and the key of the WFP filters, so concurrent runs never share
// (and never revoke) each other's grants, and a crashed run's leftovers are
// identifiable by SID alone.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/host_rule.hpp"
#include "platform/platform.hpp"
#include "policy/model.hpp"

namespace mxc::platform::win {

// What the host says about one rule path (probe_path_facts() on Windows;
// tests write them by hand). Only name-surrogate reparse points count as
// links: symbolic links, junctions and volume mount points; cloud-file
// placeholders and dedup files do not redirect a path.
struct PathFact {
    std::string path;         // the rule path, \?\ form (as the compiler derives it)
    std::string link;         // the first component of `path` (itself included) that is a link; "" = none
    std::string link_target;  // where it points, for messages ("" = unknown)
};

// What the host can do, gathered by probe_host() on Windows; tests fill it in.
struct WindowsHostFacts {
    std::uint32_t os_build = 0;          // e.g. 19045; 0 = unknown
    bool appcontainer_supported = true;  // CreateAppContainerProfile resolvable
    bool wfp_available = true;           // FwpmEngineOpen0 succeeded (needs elevation)
    std::uint32_t wfp_error = 0;         // its error code when !wfp_available
    bool private_desktop_available = true;
    // The egress proxy's loopback port once it listens (exec starts it before
    // compiling the plan when needs_egress_proxy()); 0 = not started, as in
    // --dry-run and `mxc explain`: the plan then has no proxy permit or env.
    std::uint16_t proxy_port = 0;
    std::string user_sid;    // caller's user SID ("S-1-5-21-...")
    std::string logon_sid;   // caller's logon session SID ("S-1-5-5-x-y"); "" = unknown
    std::string run_id;      // random per run (hex); names and SIDs derive from it
    std::string session_id;  // the audit session, the command's MXC_SESSION_ID; "" = run_id
    // Links on rule paths. A link strictly inside a writable area (the
    // workspace, a write rule of this plan, a built-in writable home
    // directory: policy::writable_area_roots; the temp directory) could have
    // been made by an earlier sandboxed run: no rule grants anything through
    // it, and a deny rule lands on the link itself.
    std::vector<PathFact> path_facts;
    std::string temp_dir;  // %TEMP% (a writable area); "" = unknown
    // mxc's own state and binary (the journal directory, mxc.exe's directory):
    // a write rule that covers one of them, or lies inside one, is refused.
    std::vector<std::string> private_dirs;
};

// ---- isolation -------------------------------------------------------------

enum class Isolation { AppContainer, RestrictedToken };

struct AppContainerSpec {
    std::string profile_name;                  // "mxc.<16 hex>": profile + workspace, stable across runs
    std::string display_name;                  // "mxc <profile>"
    std::vector<std::string> capability_sids;  // network capabilities, then the run SID
};

struct RestrictedTokenSpec {
    std::uint32_t flags = 0;                    // CreateRestrictedToken flags
    std::vector<std::string> deny_only_sids;    // groups turned deny-only
    std::vector<std::string> restricting_sids;  // second access-check pass
    std::string integrity_sid;                  // mandatory label of the token
};

struct DesktopSpec {
    bool private_desktop = false;
    std::string name;  // "mxc-<run id prefix>" when private; "" = inherit the caller's
};

struct MitigationSpec {
    bool child_process_restricted = false;  // limits.processes == 1: no children at all
    bool win32k_disabled = false;           // no policy knob yet; kept explicit for --dry-run
};

// ---- job object ------------------------------------------------------------

struct JobSpec {
    std::uint32_t limit_flags = 0;                       // JOB_OBJECT_LIMIT_*
    std::uint32_t active_process_limit = 0;              // with kJobLimitActiveProcess
    std::uint64_t job_memory_limit = 0;                  // bytes, with kJobLimitJobMemory
    std::int64_t per_process_user_time_100ns = 0;        // with kJobLimitProcessTime
    std::uint32_t ui_restrictions = 0;                   // JOB_OBJECT_UILIMIT_*
    std::optional<std::chrono::milliseconds> wall_time;  // enforced by the supervisor (TerminateJobObject)
};

// ---- filesystem ACEs -------------------------------------------------------

enum class AceType { Allow, Deny };

struct AclGrant {
    std::string path;                              // Win32 form with \\?\ (or \\?\UNC\) prefix, backslashes
    std::string rule_path;                         // as in the policy, for messages
    policy::Access access = policy::Access::Read;  // the rule this ACE implements
    AceType type = AceType::Allow;
    std::uint32_t mask = 0;
    std::uint32_t inheritance = 0;  // OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    std::string trustee_sid;        // the run SID
    // A component looks like an 8.3 short name ("PROGRA~1"): the applier must
    // expand it (GetLongPathNameW) before comparing paths or granting.
    bool needs_short_name_resolution = false;
    // `path` is a link inside a writable area: the ACE goes on the link
    // object itself (opened with FILE_FLAG_OPEN_REPARSE_POINT), never on
    // what it points at. Only deny rules produce such grants.
    bool on_link_itself = false;
    // Write rules also get an inheritable Low mandatory label: AppContainers
    // and mxc's restricted token run at Low integrity, and an unlabelled file
    // counts as Medium + no-write-up, which would veto the allow ACE.
    bool low_integrity_label = false;
    policy::Origin origin;
    // [filesystem].missing of the file that wrote the rule: when it says
    // "error", the line the launch fails with if the path does not exist;
    // "" = such a grant is skipped.
    std::string missing_refusal;
};

// ---- WFP -------------------------------------------------------------------

enum class WfpLayer { AleAuthConnectV4, AleAuthConnectV6, AleAuthRecvAcceptV4, AleAuthRecvAcceptV6 };
enum class WfpAction { Block, Permit };
enum class WfpField { AlePackageId, AleUserId, IpRemoteAddress, IpRemotePort, IpProtocol };
enum class WfpMatch { Equal, NotEqual, Range };

struct WfpCondition {
    WfpField field = WfpField::IpProtocol;
    WfpMatch match = WfpMatch::Equal;
    // AlePackageId: the AppContainer profile name (the applier derives its SID).
    // AleUserId: an SDDL security descriptor the token is access-checked against.
    std::string principal;
    net::IpNet net;             // IpRemoteAddress (IPv4 stored mapped, prefix over 128 bits)
    std::uint16_t port_lo = 0;  // IpRemotePort: Equal uses port_lo; Range uses [lo, hi]
    std::uint16_t port_hi = 0;
    std::uint8_t protocol = 0;  // IpProtocol
};

struct WfpFilter {
    std::string name;  // shown in `netsh wfp show filters`; also explains the filter
    WfpLayer layer = WfpLayer::AleAuthConnectV4;
    WfpAction action = WfpAction::Block;
    std::uint8_t weight = 0;   // FWP_UINT8 weight inside mxc's sublayer (0..15)
    bool hard_permit = false;  // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT: lower sublayers cannot block it
    std::vector<WfpCondition> conditions;  // ANDed across fields
};

// Weights inside mxc's sublayer: the highest-weight matching filter decides.
namespace weight {
inline constexpr std::uint8_t kProxyPermit = 15;     // mxc's own egress proxy
inline constexpr std::uint8_t kDenyRule = 14;        // [network].deny CIDR rules beat every allow
inline constexpr std::uint8_t kPortPermit = 13;      // allow rules naming their ports
inline constexpr std::uint8_t kSensitiveBlock = 12;  // DNS, SMB, ICMP unless a rule names the port
inline constexpr std::uint8_t kAnyPortPermit = 8;    // allow rules with ":*"
inline constexpr std::uint8_t kDefaultBlock = 0;     // everything else
}  // namespace weight

struct WfpSpec {
    bool enabled = false;  // false: network "host" (no filters at all)
    std::string sublayer_name;
    std::uint16_t sublayer_weight = 0xFFFF;  // above the OS firewall's sublayers
    std::vector<WfpFilter> filters;
};

// ---- the plan --------------------------------------------------------------

struct WindowsPlan {
    Isolation isolation = Isolation::AppContainer;
    std::string run_sid;                   // per-run capability SID (trustee of ACEs, WFP key for tokens)
    AppContainerSpec app_container;        // when isolation == AppContainer
    RestrictedTokenSpec restricted_token;  // when isolation == RestrictedToken
    DesktopSpec desktop;
    MitigationSpec mitigations;
    JobSpec job;
    std::vector<AclGrant> acl;             // in application order (parents before children)
    std::vector<std::string> create_dirs;  // {tmp}: created before grants, removed after the run
    WfpSpec wfp;
    std::map<std::string, std::string> proxy_env;  // HTTP_PROXY & co. when a proxy is planned
    // Set over the policy's environment ([env] pass/set): proxy_env,
    // MXC_SESSION_ID, and TEMP/TMP pointing at {tmp}.
    std::map<std::string, std::string> child_env;
    // One verdict per rule (platform/verdicts.hpp): what enforces it, or
    // what the host lacks (Unenforceable: exit 125 unless policy.best_effort),
    // or why it applies to nothing (Warning: printed at launch, e.g. a path
    // through a link a sandboxed run could have made).
    std::vector<RuleVerdict> verdicts;
};

WindowsPlan compile_windows_plan(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts);

// mxc's exit status when CreateProcess failed with `win32_error`
// (docs/design.md, exit statuses): 127 for a file or path not found, 126 for
// access denied or not an executable image, 125 otherwise.
int launch_failure_exit_code(std::uint32_t win32_error);

// Network allowlist with at least one host-name allow rule ("github.com",
// "*.npmjs.org:443"): only the egress proxy can enforce those (IP/CIDR rules
// are WFP permits). Such a plan also runs under the restricted token, not an
// AppContainer: AppContainers cannot connect to loopback, where the proxy
// listens (docs/windows.md, "Egress proxy").
bool needs_egress_proxy(const policy::ResolvedPolicy& policy);

// Human-readable plan for --dry-run (stable order, one item per line).
std::string describe(const WindowsPlan& plan);

// Pieces exposed for tests and for the applier.
std::string appcontainer_profile_name(const std::string& profile, const std::string& workspace);
std::string run_capability_sid(const std::string& run_id);
const char* to_string(WfpLayer layer);
const char* to_string(WfpField field);

}  // namespace mxc::platform::win
