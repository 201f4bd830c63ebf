// compile_plan: ResolvedPolicy + HostFacts -> LinuxPlan. Pure: no syscalls, no
// file access. Every "can this host enforce it?" decision is made here so that
// `mxc explain`, `--dry-run` and the real launch agree.
#include "platform/linux/plan/plan.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "net/host_rule.hpp"
#include "net/proxy_env.hpp"
#include "platform/linux/plan/plan_unix_sockets.hpp"
#include "policy/paths.hpp"
#include "policy/writable_areas.hpp"

namespace mxc::lnx {
namespace {

using platform::RuleVerdict;
using platform::Severity;
using policy::Access;
namespace ll = landlock_bits;

using policy::is_same_or_under;
using policy::is_under;

// Where a missing write-rule directory may be created (issue 12, item 3):
// strictly below the caller's home or the workspace, never for read or deny
// rules (creating them would change what the run sees), nor for protected
// names (they must stay absent). Returns the deepest such base, "" for none.
std::string creatable_base(const policy::ResolvedPolicy& policy, const policy::PathRule& r) {
    if (r.access != Access::Write || r.protect) return {};
    // "/" as the workspace or home would make every path creatable.
    if (!policy.workspace.empty() && policy.workspace != "/" && is_under(r.path, policy.workspace))
        return policy.workspace;
    if (!policy.home.empty() && policy.home != "/" && is_under(r.path, policy.home)) return policy.home;
    return {};
}

std::string rule_text(const policy::PathRule& r) {
    return std::string("filesystem.") + policy::to_string(r.access) + " " + r.path;
}

// A path rule after symlink resolution and merging.
struct Effective {
    std::string target;
    Access access = Access::Read;
    bool is_dir = true;
    std::string why;
    std::vector<std::size_t> verdicts;  // indices into plan.verdicts of the rules merged here
    bool pinned = false;                // a protected ".git": always its own mount point
    std::string rule;                   // the deciding rule's text and origin, for notes
    std::string origin;
};

constexpr const char* kProc = "/proc";
constexpr const char* kDev = "/dev";
constexpr const char* kTmp = "/tmp";

bool is_system_mount(const std::string& p) {
    return p == kProc || p == kDev || p == kTmp;
}

std::uint64_t read_access() {
    return ll::kExecute | ll::kReadFile | ll::kReadDir;
}

// The first link on the way to a rule's target that lives strictly inside an
// area a sandboxed run can write (policy::writable_area_roots), with that
// area; nullopt when every link was there before any run could touch it.
struct UntrustedLink {
    const LinkHop* hop = nullptr;
    std::string area;
};

std::optional<UntrustedLink> find_untrusted_link(const PathFact& fact,
                                                 const std::vector<std::string>& areas) {
    for (const auto& hop : fact.links) {
        for (const auto& area : areas) {
            if (is_under(hop.at, area)) return UntrustedLink{&hop, area};
        }
    }
    return std::nullopt;
}

// The deepest entry of `merged` strictly above `path`: walks up the parents
// (a map lookup each) instead of scanning every rule, which kept startup
// quadratic in the number of rules.
const Effective* innermost_enclosing(const std::map<std::string, Effective>& merged,
                                     const std::string& path) {
    std::string parent = path;
    while (parent.size() > 1) {
        const auto slash = parent.rfind('/');
        parent.resize(slash == 0 ? 1 : slash);
        auto it = merged.find(parent);
        if (it != merged.end()) return &it->second;
    }
    return nullptr;
}

void compile_paths(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const std::vector<std::string> areas = untrusted_areas(policy, facts);
    std::map<std::string, Effective> merged;
    std::vector<MountOp> symlinks;
    std::optional<Access> tmp_access;
    std::string tmp_why;

    for (const auto& r : policy.paths) {
        const std::string text = rule_text(r);
        const std::string origin = r.origin.describe();
        std::string why = text;
        why.append(" (").append(origin).append(")");
        RuleVerdict verdict{text, origin, ""};

        if (!policy.tmp.empty() && is_same_or_under(r.path, policy.tmp)) {
            // {tmp} does not exist on the host: it is created inside the sandbox.
            if (r.path == policy.tmp) {
                tmp_access = r.access;
                tmp_why = why;
                verdict.mechanism = "private directory inside the sandbox tmpfs + landlock";
            } else {
                verdict.mechanism = "inside {tmp} (starts empty)";
                verdict.severity = Severity::Note;
                verdict.reason = "inside {tmp}, which starts empty";
            }
            plan.verdicts.push_back(std::move(verdict));
            continue;
        }

        auto fact = facts.paths.find(r.path);
        if (fact == facts.paths.end() || !fact->second.exists) {
            const std::string base = creatable_base(policy, r);
            if (!base.empty()) {
                plan.create_dirs.push_back(CreateDir{r.path, base, why});
                verdict.mechanism = "created at launch if missing (mode 0700), then read-write bind mount";
                verdict.severity = Severity::Note;
                verdict.reason = "created at launch if missing (mode 0700)";
            } else if (r.protect) {
                // Most protected names are absent from most workspaces.
                verdict.mechanism = "protected name, missing at launch";
            } else if (r.missing.value == policy::MissingPaths::Error) {
                verdict.severity = Severity::Fatal;
                verdict.reason =
                    "path does not exist (missing = \"error\"" +
                    (r.missing.origin.describe().empty() ? std::string()
                                                         : " at " + r.missing.origin.describe()) +
                    ")";
            } else {
                verdict.mechanism = "skipped: path does not exist (missing = \"ignore\")";
                verdict.severity = Severity::Note;
                verdict.reason = "skipped, does not exist";
            }
            plan.verdicts.push_back(std::move(verdict));
            continue;
        }

        const PathFact& pf = fact->second;
        std::string shown = why;
        if (pf.resolved != r.path) {
            shown = text;
            shown.append(" -> ").append(pf.resolved).append(" (").append(origin).append(")");
        }
        const auto untrusted = find_untrusted_link(pf, areas);
        if (untrusted) {
            // A rule never grants more than its literal path: following a link
            // that an earlier run could have planted would let that run choose
            // what this one sees (a link to / binds the whole host).
            std::string reason = "passes through the symlink " + untrusted->hop->at + " -> " +
                                 untrusted->hop->target + ", inside " + untrusted->area +
                                 " where a sandboxed run can write";
            if (r.access != Access::Deny) {
                verdict.mechanism = "not applied: passes through the untrusted symlink " + untrusted->hop->at;
                verdict.severity = Severity::Warning;
                verdict.reason =
                    reason + ": not applied (if you made the link, name its target in the rule instead)";
                plan.verdicts.push_back(std::move(verdict));
                continue;
            }
            // A deny still hides whatever the link leads to.
            plan.verdicts.push_back(RuleVerdict{text, origin, "", Severity::Warning,
                                                reason + ": its target " + pf.resolved + " is masked"});
        } else if (!pf.link_target.empty()) {
            symlinks.push_back(MountOp{MountKind::Symlink, pf.link_target, r.path, false, shown});
        }

        if (is_system_mount(pf.resolved)) {
            verdict.mechanism = "superseded by the sandbox's private " + pf.resolved;
            verdict.severity = Severity::Note;
            verdict.reason = "superseded by the sandbox's own " + pf.resolved;
            plan.verdicts.push_back(std::move(verdict));
            continue;
        }

        // A protected ".git" that is a file is a "gitdir:" pointer (worktree,
        // submodule): rewritten, it sends the user's git to a repository, and
        // a config, of the run's choosing. It stays read-only.
        const Access access = r.protect && r.access == Access::Write && !pf.is_dir ? Access::Read : r.access;
        switch (access) {
            case Access::Read:
                verdict.mechanism = "read-only bind mount";
                break;
            case Access::Write:
                verdict.mechanism = "read-write bind mount";
                break;
            case Access::Deny:
                verdict.mechanism =
                    pf.is_dir ? "masked by an empty read-only tmpfs" : "masked by an empty read-only file";
                break;
        }
        if (facts.landlock_abi > 0) {
            verdict.mechanism += access == Access::Deny ? " + not granted by landlock" : " + landlock";
        }
        if (pf.resolved != r.path) verdict.mechanism += " (applies to " + pf.resolved + ")";
        if (!facts.user_namespaces) {
            verdict.severity = Severity::Unenforceable;
            verdict.reason = "user namespaces unavailable";
        }
        plan.verdicts.push_back(std::move(verdict));
        const std::size_t verdict_index = plan.verdicts.size() - 1;

        const bool pinned = r.protect && access == Access::Write;
        if (pinned) {
            plan.verdicts[verdict_index].mechanism =
                "pinned: its own read-write bind mount, so the run cannot rename or replace it";
        }
        auto it = merged.find(pf.resolved);
        if (it == merged.end()) {
            merged.emplace(
                pf.resolved,
                Effective{pf.resolved, access, pf.is_dir, shown, {verdict_index}, pinned, text, origin});
        } else {
            it->second.pinned = it->second.pinned || pinned;
            it->second.verdicts.push_back(verdict_index);
            if (policy::overrides(access, it->second.access)) {
                plan.verdicts.push_back(RuleVerdict{it->second.rule, it->second.origin, "", Severity::Note,
                                                    "overridden by " + shown});
                it->second.access = access;
                it->second.why = shown;
                it->second.rule = text;
                it->second.origin = origin;
            } else {
                plan.verdicts.push_back(
                    RuleVerdict{text, origin, "", Severity::Note, "overridden by " + it->second.why});
            }
        }
    }

    // Mounts. Sorting by target puts every parent before its children ("/a" is
    // a prefix of "/a/b" and so sorts first), which is what makes the most
    // specific rule win: a later, deeper mount covers the earlier one.
    std::vector<MountOp> ops;
    std::set<std::string> redundant;  // covered by an identical enclosing rule
    for (const auto& [target, e] : merged) {
        MountKind kind = MountKind::BindRo;
        if (e.access == Access::Write) kind = MountKind::BindRw;
        if (e.access == Access::Deny) kind = e.is_dir ? MountKind::MaskDir : MountKind::MaskFile;
        // A bind inside an identical bind of the same kind shows the same
        // files with the same rights: skip the redundant mount (startup cost).
        const Effective* enclosing = innermost_enclosing(merged, target);
        static constexpr const char* kSystem[] = {kProc, kDev, kTmp};
        const std::string& here = target;  // lambdas cannot capture structured bindings (C++17)
        const bool system_between = std::any_of(std::begin(kSystem), std::end(kSystem), [&](const char* s) {
            return is_same_or_under(here, s) && (enclosing == nullptr || is_under(s, enclosing->target));
        });
        if (enclosing != nullptr && !system_between && kind != MountKind::MaskDir &&
            kind != MountKind::MaskFile && enclosing->access == e.access && !e.pinned) {
            plan.verdicts.push_back(
                RuleVerdict{e.rule, e.origin, "", Severity::Note,
                            "no separate mount needed, same access as " + enclosing->why});
            redundant.insert(target);
            continue;
        }
        ops.push_back(MountOp{kind, kind == MountKind::MaskDir ? "" : target, target, e.is_dir, e.why});
    }
    ops.push_back(
        MountOp{MountKind::Proc, "proc", kProc, true,
                "fresh procfs for the sandbox pid namespace; sys sysrq-trigger irq bus fs read-only, "
                "kcore keys timer_list sched_debug latency_stats acpi scsi asound masked"});
    // The command's own terminal lives in the host's devpts, which the
    // sandbox does not see (its /dev/pts is a fresh instance, so it cannot
    // reach the user's other terminals). Binding just that device as
    // /dev/console lets ttyname(3) and `tty` find it, as in containers.
    ops.push_back(MountOp{MountKind::Dev, facts.terminal, kDev, true,
                          "minimal /dev: null zero full random urandom tty, devpts, shm" +
                              (facts.terminal.empty() ? std::string() : ", console <- " + facts.terminal)});
    ops.push_back(MountOp{MountKind::Tmp, "tmpfs", kTmp, true, "private /tmp"});
    if (!policy.tmp.empty()) {
        ops.push_back(MountOp{MountKind::TmpDir, "", policy.tmp, true,
                              tmp_why.empty() ? "{tmp}, created inside the sandbox" : "{tmp}: " + tmp_why});
        // Realising {tmp} must never touch the host: its parent has to be one
        // of our own tmpfs mounts, not a bind of a host directory.
        if (!is_under(policy.tmp, kTmp)) {
            for (const auto& [target, e] : merged) {
                if (is_under(policy.tmp, target) && e.access != Access::Deny) {
                    plan.verdicts.push_back(RuleVerdict{
                        "{tmp} " + policy.tmp, "", "", Severity::Fatal,
                        "lies inside " + e.why +
                            ": it cannot be created without writing to the host; put {tmp} under /tmp"});
                    break;
                }
            }
        }
    }
    ops.insert(ops.end(), symlinks.begin(), symlinks.end());
    std::stable_sort(ops.begin(), ops.end(),
                     [](const MountOp& a, const MountOp& b) { return a.target < b.target; });
    plan.mounts.push_back(MountOp{MountKind::RootTmpfs, "tmpfs", "/", true,
                                  "empty root; nothing of the host is visible unless a rule says so"});
    plan.mounts.insert(plan.mounts.end(), ops.begin(), ops.end());

    // Landlock: a second, independent layer granting the same rights. It
    // cannot subtract a deny from inside a granted directory (rules only add
    // rights); there the mount mask is what hides the path.
    if (facts.landlock_abi <= 0) {
        plan.verdicts.push_back(RuleVerdict{"filesystem (second layer)", "", "landlock",
                                            Severity::Unenforceable,
                                            "kernel lacks Landlock (second enforcement layer): upgrade to "
                                            "Linux >= 5.13 or pass --best-effort"});
        return;
    }
    LandlockPlan& ll_plan = plan.landlock;
    ll_plan.enabled = true;
    ll_plan.abi = facts.landlock_abi;
    ll_plan.handled_fs = landlock_fs_rights(facts.landlock_abi);
    if (facts.landlock_abi >= 6) ll_plan.scoped = ll::kScopeAbstractUnix | ll::kScopeSignal;
    auto grant = [&](const std::string& path, std::uint64_t access, bool is_dir, const std::string& why) {
        access &= ll_plan.handled_fs;
        if (!is_dir) access &= ll::kFileOnly;
        if (access != 0) ll_plan.rules.push_back(LandlockRule{path, access, is_dir, why});
    };
    for (const auto& [target, e] : merged) {
        if (e.access == Access::Deny) {
            for (const auto& [other, o] : merged) {
                if (o.access != Access::Deny && is_under(target, other)) {
                    plan.verdicts.push_back(RuleVerdict{
                        e.rule, e.origin, "", Severity::Note,
                        "landlock cannot carve it out of " + o.why + "; the mount mask hides it"});
                    for (std::size_t i : e.verdicts) {
                        plan.verdicts[i].mechanism += "; landlock cannot carve it out of the granted " +
                                                      other + ", the mount mask alone hides it";
                    }
                    break;
                }
            }
            continue;
        }
        if (redundant.count(target) != 0) continue;  // the enclosing rule grants the same
        grant(target, e.access == Access::Read ? read_access() : ll_plan.handled_fs, e.is_dir, e.why);
    }
    // Listing "/" shows only the mount points the plan created; READ_DIR is
    // inherited below it, but the mount view already limits what exists.
    grant("/", ll::kReadDir, true, "list the sandbox root");
    // System paths the sandbox itself provides.
    // Shells open with O_TRUNC (`echo 500 > /proc/self/oom_score_adj`). The
    // host-wide parts of /proc are read-only mounts, whatever Landlock allows.
    grant(kProc, ll::kExecute | ll::kReadFile | ll::kReadDir | ll::kWriteFile | ll::kTruncate, true,
          "sandbox /proc");
    // Opening /dev/null with O_TRUNC (shell `>`) needs TRUNCATE.
    grant(kDev, ll::kReadFile | ll::kWriteFile | ll::kReadDir | ll::kIoctlDev | ll::kTruncate, true,
          "sandbox /dev");
    grant("/dev/shm", ll_plan.handled_fs, true, "sandbox /dev/shm");
    grant(kTmp, ll_plan.handled_fs, true, "sandbox private /tmp");
    if (!policy.tmp.empty() && tmp_access && *tmp_access != Access::Deny && !is_under(policy.tmp, kTmp)) {
        grant(policy.tmp, *tmp_access == Access::Read ? read_access() : ll_plan.handled_fs, true, tmp_why);
    }
    std::sort(ll_plan.rules.begin(), ll_plan.rules.end(),
              [](const LandlockRule& a, const LandlockRule& b) { return a.path < b.path; });
    plan.verdicts.push_back(RuleVerdict{"filesystem (second layer)", "",
                                        "landlock ABI " + std::to_string(ll_plan.abi) + " (" +
                                            std::to_string(ll_plan.rules.size()) + " rules" +
                                            (ll_plan.scoped != 0 ? ", scoped unix+signal)" : ")")});
    if (ll_plan.scoped == 0) {
        plan.verdicts.push_back(RuleVerdict{"landlock scoping", "", "none", Severity::Caveat,
                                            "landlock ABI " + std::to_string(facts.landlock_abi) +
                                                " < 6: abstract unix sockets and signals are not scoped to "
                                                "the sandbox"});
    }
}

// Read rules inside a write rule that are missing at launch (I3). The
// innermost enclosing rule decides: under a read or deny rule nothing can be
// created anyway.
void compile_absent_protected(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    // The rule on each path (the first, should a hand-made policy repeat one):
    // the innermost enclosing rule is then a lookup per parent, not a scan
    // of every rule per absent path (quadratic: 0.37M instructions for the
    // default profile's protected names).
    std::unordered_map<std::string_view, const policy::PathRule*> by_path;
    for (const auto& o : policy.paths) by_path.try_emplace(o.path, &o);
    auto innermost_above = [&by_path](std::string_view path) -> const policy::PathRule* {
        // Every strict ancestor is_under() accepts, deepest first: each
        // prefix that ends before a '/', then the root.
        for (auto k = path.rfind('/'); k != std::string_view::npos && k > 0; k = path.rfind('/', k - 1)) {
            if (auto it = by_path.find(path.substr(0, k)); it != by_path.end()) return it->second;
        }
        if (path.size() > 1 && path[0] == '/') {
            if (auto it = by_path.find("/"); it != by_path.end()) return it->second;
        }
        return nullptr;
    };
    for (const auto& r : policy.paths) {
        if (r.access != Access::Read) continue;
        if (!policy.tmp.empty() && is_same_or_under(r.path, policy.tmp)) continue;
        auto fact = facts.paths.find(r.path);
        if (fact != facts.paths.end() && fact->second.exists) continue;
        const policy::PathRule* enclosing = innermost_above(r.path);
        if (enclosing == nullptr || enclosing->access != Access::Write) continue;
        auto root = facts.paths.find(enclosing->path);
        if (root == facts.paths.end() || !root->second.exists || !root->second.is_dir) continue;
        const std::string rel = r.path.substr(enclosing->path == "/" ? 1 : enclosing->path.size() + 1);
        const std::string text = rule_text(r);
        const std::string why = text + " (" + r.origin.describe() + ")";
        const bool inside_git = rel.rfind(".git/", 0) == 0 || rel.find("/.git/") != std::string::npos;
        plan.must_stay_absent.push_back(AbsentProtected{r.path, root->second.resolved, rel, why, inside_git});
        for (auto& v : plan.verdicts) {
            if (v.rule != text) continue;
            v.mechanism += v.mechanism.find("missing at launch") != std::string::npos
                               ? "; removed after the run if created"
                               : "; missing at launch: removed after the run if created";
            if (inside_git) v.mechanism += " (a repository the run creates is reported instead)";
        }
    }
}

// True when an explicit IP/CIDR rule reaches loopback (127.0.0.0/8, ::1): the
// user asked for the host's loopback, which from inside the sandbox's own
// namespace is only reachable through the proxy.
bool targets_loopback(const net::HostRule& rule) {
    if (rule.kind != net::HostRule::Kind::Cidr) return false;
    net::IpNet v4_loopback;
    v4_loopback.addr = net::IpAddr::from_v4(0x7f000000U).bytes;
    v4_loopback.prefix = 96 + 8;
    v4_loopback.is_v4 = true;
    net::IpNet v6_loopback;
    v6_loopback.addr[15] = 1;
    const net::IpAddr rule_addr{rule.net.addr};
    for (const net::IpNet& lo : {v4_loopback, v6_loopback}) {
        // Two prefixes overlap iff the wider one contains the other's address.
        const bool overlap = rule.net.prefix <= lo.prefix ? net::net_contains(rule.net, net::IpAddr{lo.addr})
                                                          : net::net_contains(lo, rule_addr);
        if (overlap) return true;
    }
    return false;
}

void compile_allowlist(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const auto& net_rules = policy.network;
    ProxyPlan proxy;
    proxy.profile_name = policy.name;
    bool loopback_rule = false;
    const std::string missing = facts.user_namespaces ? std::string()
                                                      : "user + network namespaces unavailable (" +
                                                            facts.user_namespaces_detail + ")";
    auto add_rules = [&](const std::vector<policy::HostRuleEntry>& rules, bool allow) {
        for (const auto& r : rules) {
            const std::string text = std::string(allow ? "network.allow " : "network.deny ") + r.value;
            RuleVerdict v{text, r.origin.describe(),
                          allow ? "connect broker and egress proxy in the supervisor; no route otherwise"
                                : "refused by the connect broker and the egress proxy in the supervisor; "
                                  "no route otherwise"};
            const auto& parsed = r.parsed;
            if (!parsed) {
                // The resolver parses every rule; this only guards hand-built policies.
                v.severity = Severity::Fatal;
                v.reason = policy::kUnparsedHostRule;
            } else if (!missing.empty()) {
                v.severity = Severity::Unenforceable;
                v.reason = "needs " + missing + " for the egress proxy: enable them or pass --best-effort";
            } else if (allow && targets_loopback(*parsed)) {
                loopback_rule = true;
                v.mechanism += " (the host's loopback, through the proxy)";
            }
            plan.verdicts.push_back(v);
            if (parsed) (allow ? proxy.allow : proxy.deny).push_back(*parsed);
        }
    };
    add_rules(net_rules.allow, true);
    add_rules(net_rules.deny, false);
    // The sandbox's own loopback stays direct (its local servers are not the
    // host's) unless a rule asked for the host's loopback: then loopback must
    // go through the proxy, or clients would reach the empty sandbox side.
    proxy.no_proxy = loopback_rule ? "" : net::kLoopbackNoProxy;
    plan.proxy = std::move(proxy);
}

// The connect broker (issue 11) serves every mode with an own network
// namespace: in "none" it refuses everything that would leave and brokers
// [network].unix sockets; in "allowlist" it also connects allowed TCP.
void compile_broker(const policy::ResolvedPolicy& policy, LinuxPlan& plan) {
    BrokerPlan broker;
    if (plan.proxy) {
        broker.allow = plan.proxy->allow;
        broker.deny = plan.proxy->deny;
        broker.own_ports.push_back(plan.proxy->port);
    }
    broker.own_ports.push_back(53);  // the DNS stub
    // io_uring connects, listens and sends in kernel workers that seccomp
    // never sees: with it, a socket the broker installed (which lives in the
    // host's namespace) could be made to listen there once its connection
    // closes.
    const bool io_uring_back = std::any_of(policy.seccomp.allow.begin(), policy.seccomp.allow.end(),
                                           [](const auto& a) { return a.value == "io_uring"; });
    if (io_uring_back && plan.proxy) {
        plan.verdicts.push_back(RuleVerdict{"seccomp.allow io_uring with network.mode allowlist", "", "",
                                            Severity::Fatal,
                                            "io_uring bypasses the connect broker's checks on sockets it "
                                            "connected in the host's namespace; remove one of the two"});
    }
    plan.broker = std::move(broker);
    // The sandbox's own network layers (no profile rule names them): the
    // audit start event records them with their mechanism.
    std::string layers =
        "own network namespace (loopback only), connect broker (seccomp user notification), DNS "
        "stub on 127.0.0.1:53";
    if (plan.proxy) {
        layers += ", egress proxy on 127.0.0.1:" + std::to_string(plan.proxy->port) + " (" +
                  std::to_string(plan.proxy->allow.size()) + " allow, " +
                  std::to_string(plan.proxy->deny.size()) + " deny rules)";
    }
    plan.verdicts.push_back(RuleVerdict{"network", "", layers});
}

void compile_network(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const auto& mode = policy.network.mode;
    RuleVerdict v{std::string("network.mode ") + policy::to_string(mode.value), mode.origin.describe(), ""};
    switch (mode.value) {
        case policy::NetMode::None:
            plan.new_net = true;
            v.mechanism =
                "own network namespace with only loopback; connect broker (seccomp user notification) and "
                "DNS stub on 127.0.0.1:53 served by the supervisor refuse everything that would leave";
            break;
        case policy::NetMode::Host:
            plan.new_net = false;
            v.mechanism = "host network (shared namespace)";
            break;
        case policy::NetMode::Allowlist:
            plan.new_net = true;
            v.mechanism =
                "own network namespace with only loopback; connect broker, DNS stub on 127.0.0.1:53 and "
                "egress proxy on 127.0.0.1:" +
                std::to_string(ProxyPlan::kDefaultPort) + " served by the supervisor";
            if (!facts.user_namespaces) {
                v.severity = Severity::Unenforceable;
                v.reason = "needs user + network namespaces unavailable (" + facts.user_namespaces_detail +
                           "): enable them or pass --best-effort";
            }
            plan.verdicts.push_back(v);
            compile_allowlist(policy, facts, plan);
            compile_broker(policy, plan);
            return;
    }
    plan.verdicts.push_back(v);
    if (plan.new_net) compile_broker(policy, plan);
}

// An own network namespace has no resolver but the DNS stub: the sandbox's
// resolv.conf names it, with options that make a lost answer cost one second
// at most, and its hosts file holds only localhost, so every other name goes
// to the stub (which applies the host's /etc/hosts through getaddrinfo).
// Appended after every other mount: /etc is in place by then, and a symlink
// at the path is followed inside the sandbox's root when applied.
void compile_dns(const policy::ResolvedPolicy& policy, LinuxPlan& plan) {
    if (!plan.new_net) return;
    DnsPlan dns;
    dns.profile_name = policy.name;
    dns.resolv_conf =
        "# generated by mxc: the sandbox's DNS stub, served by the supervisor\n"
        "nameserver 127.0.0.1\n"
        "options timeout:1 attempts:1\n";
    dns.hosts =
        "# generated by mxc: every other name is answered by the DNS stub\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n";
    const std::string mode = policy::to_string(policy.network.mode.value);
    const std::string why = "network.mode " + mode + " (" + policy.network.mode.origin.describe() + ")";
    MountOp resolv{MountKind::Generated, "", "/etc/resolv.conf", false,
                   "DNS stub on 127.0.0.1:53, served by the supervisor; " + why};
    resolv.content = dns.resolv_conf;
    MountOp hosts{MountKind::Generated, "", "/etc/hosts", false,
                  "localhost only; other names go to the DNS stub; " + why};
    hosts.content = dns.hosts;
    plan.mounts.push_back(std::move(resolv));
    plan.mounts.push_back(std::move(hosts));
    plan.dns = std::move(dns);
}

// limits.processes. RLIMIT_NPROC counts processes of the real uid; since
// Linux 5.14 that count is kept per user namespace, so inside our fresh
// namespace it counts only the sandbox's processes. The kernel exempts uid 0
// from it entirely, so for root only a pids cgroup binds; it is used for
// anyone who can have one. Both count init too, hence value + 1.
void compile_processes(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const auto& limit = *policy.limits.processes;
    const std::uint64_t n = limit.value + 1;
    const std::string rule = "limits.processes " + std::to_string(limit.value);
    const std::string why = "limits.processes = " + std::to_string(limit.value) + " (" +
                            limit.origin.describe() + "), +1 for the sandbox init";
    // explain has no session: show where the leaf would go.
    const std::string leaf = "mxc-" + (facts.session_id.empty() ? "<session>" : facts.session_id);
    // A process has one cgroup v2: if limits.memory gets a v2 leaf, pids can
    // share it only when both live under the same parent.
    const bool memory_leaf = policy.limits.memory_bytes && facts.cgroup.delegated;
    const auto& pids = facts.pids_cgroup;
    const bool v2 = !pids.v2_parent.empty() && (!memory_leaf || facts.cgroup.dir == pids.v2_parent);
    // A SIGKILLed mxc cannot remove its leaf; the next start does (rmdir only
    // succeeds on an empty cgroup, so live runs are never touched).
    const std::string leftover =
        "; an empty leaf left by a SIGKILLed mxc is removed at the next start (once 10 s old)";
    std::string mechanism;
    if (v2) {
        plan.cgroup = CgroupPlan{pids.v2_parent, leaf, 0, n};
        mechanism =
            "pids cgroup v2 " + pids.v2_parent + "/" + leaf + " (pids.max = " + std::to_string(n) + ")";
    } else if (!pids.v1_parent.empty()) {
        plan.pids_v1 = PidsV1Plan{pids.v1_parent, leaf, n};
        mechanism =
            "pids cgroup v1 " + pids.v1_parent + "/" + leaf + " (pids.max = " + std::to_string(n) + ")";
    }
    if (facts.uid != 0) {
        plan.rlimits.push_back(RlimitSetting{RLIMIT_NPROC, "RLIMIT_NPROC", n, why});
        mechanism += mechanism.empty() ? "RLIMIT_NPROC, counted in the sandbox's own user namespace"
                                       : " + RLIMIT_NPROC" + leftover;
        plan.verdicts.push_back(RuleVerdict{rule, limit.origin.describe(), mechanism});
        return;
    }
    if (!mechanism.empty()) {
        plan.verdicts.push_back(RuleVerdict{rule, limit.origin.describe(), mechanism + leftover});
        return;
    }
    const std::string missing =
        "root is exempt from RLIMIT_NPROC and no pids cgroup is writable (" + pids.reason + ")";
    plan.verdicts.push_back(
        RuleVerdict{rule, limit.origin.describe(), "none for host root", Severity::Unenforceable,
                    missing + ": run as a normal user, remove the limit, or pass --best-effort"});
}

std::string mebibytes(std::uint64_t bytes) {
    return std::to_string((bytes + (1ULL << 20) - 1) >> 20) + " MiB";
}

// Sizes the RAM-backed filesystems the sandbox can write: /tmp (which holds
// {tmp}) and /dev/shm. Without size= each would take up to half of RAM, and
// tmpfs pages are not charged to RLIMIT_AS, so limits.memory alone did not
// bound them. Each gets limits.memory, never more than half of RAM (the
// kernel's own default, so a profile can only shrink it); without
// limits.memory, half of RAM, stated so that explain shows the number.
void compile_ram_filesystems(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const std::uint64_t half_ram = facts.ram_bytes / 2;
    const auto& memory = policy.limits.memory_bytes;
    std::uint64_t size = half_ram;
    std::string why = "default: half of RAM (" + mebibytes(facts.ram_bytes) + "), the kernel's tmpfs default";
    if (memory) {
        size = half_ram != 0 ? std::min(memory->value, half_ram) : memory->value;
        why = size == memory->value ? "limits.memory" : "limits.memory capped at half of RAM";
    }
    if (size == 0) return;  // RAM unknown and no limit: the kernel's default
    for (auto& m : plan.mounts) {
        if (m.kind == MountKind::Tmp || m.kind == MountKind::Dev) m.size = size;
    }
    const std::string text = mebibytes(size) + " each (" + why + ")";
    plan.verdicts.push_back(RuleVerdict{"tmpfs size /tmp, /dev/shm",
                                        memory ? memory->origin.describe() : "built-in default",
                                        "tmpfs size=" + std::to_string(size) + " bytes: " + text +
                                            "; {tmp} lives in /tmp; writes beyond fail with ENOSPC"});
}

void compile_limits(const policy::ResolvedPolicy& policy, const HostFacts& facts, LinuxPlan& plan) {
    const auto& lim = policy.limits;
    auto verdict = [&](const std::string& rule, const policy::Origin& o, std::string mech) {
        plan.verdicts.push_back(RuleVerdict{rule, o.describe(), std::move(mech)});
    };
    if (lim.processes) compile_processes(policy, facts, plan);
    if (lim.open_files) {
        std::uint64_t n = lim.open_files->value;
        std::string why = "limits.open_files (" + lim.open_files->origin.describe() + ")";
        if (n > facts.nofile_hard) {
            // Raising a hard limit needs CAP_SYS_RESOURCE in the initial
            // namespace; the tighter host limit still bounds the sandbox.
            plan.verdicts.push_back(RuleVerdict{
                "limits.open_files " + std::to_string(n), lim.open_files->origin.describe(), "",
                Severity::Note,
                "exceeds the caller's hard limit, capped at " + std::to_string(facts.nofile_hard)});
            n = facts.nofile_hard;
        }
        plan.rlimits.push_back(RlimitSetting{RLIMIT_NOFILE, "RLIMIT_NOFILE", n, why});
        verdict("limits.open_files " + std::to_string(lim.open_files->value), lim.open_files->origin,
                "RLIMIT_NOFILE");
    }
    if (lim.file_size_bytes) {
        plan.rlimits.push_back(
            RlimitSetting{RLIMIT_FSIZE, "RLIMIT_FSIZE", lim.file_size_bytes->value,
                          "limits.file_size (" + lim.file_size_bytes->origin.describe() + ")"});
        verdict("limits.file_size " + std::to_string(lim.file_size_bytes->value), lim.file_size_bytes->origin,
                "RLIMIT_FSIZE");
    }
    if (lim.cpu_time) {
        const auto ms = lim.cpu_time->value.count();
        const std::uint64_t secs = ms <= 0 ? 1 : static_cast<std::uint64_t>((ms + 999) / 1000);
        plan.rlimits.push_back(
            RlimitSetting{RLIMIT_CPU, "RLIMIT_CPU", secs,
                          "limits.cpu_time (" + lim.cpu_time->origin.describe() + "), whole seconds"});
        verdict("limits.cpu_time " + std::to_string(ms) + "ms", lim.cpu_time->origin,
                "RLIMIT_CPU (per process)");
    }
    if (lim.memory_bytes) {
        const std::string rule = "limits.memory " + std::to_string(lim.memory_bytes->value);
        if (facts.cgroup.delegated) {
            // compile_processes may have created the leaf already (same parent).
            if (!plan.cgroup) plan.cgroup = CgroupPlan{facts.cgroup.dir, "mxc-" + facts.session_id};
            plan.cgroup->memory_max = lim.memory_bytes->value;
            verdict(rule, lim.memory_bytes->origin,
                    "cgroup v2 memory.max on " + facts.cgroup.dir + "/mxc-" + facts.session_id);
        } else {
            // Not RLIMIT_AS: V8, WebAssembly and the JVM reserve far more
            // address space than they touch (wasm alone reserves 8 GiB+ of
            // PROT_NONE guard), so an address-space cap killed node under
            // every built-in profile. RLIMIT_DATA (Linux >= 4.7) counts what
            // a process can actually dirty: brk, and private writable
            // mappings, which is where glibc's large mallocs, V8's heaps and
            // the JVM's committed heap live; PROT_NONE reservations are free
            // until made writable.
            plan.rlimits.push_back(RlimitSetting{RLIMIT_DATA, "RLIMIT_DATA", lim.memory_bytes->value,
                                                 "limits.memory (" + lim.memory_bytes->origin.describe() +
                                                     "), per process: " + facts.cgroup.reason});
            // Per-process limits add up across processes: the supervisor
            // bounds their sum.
            plan.memory_watch_bytes = lim.memory_bytes->value;
            verdict(rule, lim.memory_bytes->origin,
                    "RLIMIT_DATA per process: private writable memory (heap, malloc, JIT heaps), not "
                    "address-space reservations; and the supervisor ends the run (audit reason limit) when "
                    "the resident memory of all its processes exceeds it, checked every " +
                        std::to_string(plan.memory_watch_period.count()) +
                        " ms (no delegated cgroup v2: " + facts.cgroup.reason + ")");
        }
    }
    if (lim.wall_time) {
        plan.wall_time = lim.wall_time->value;
        verdict("limits.wall_time " + std::to_string(lim.wall_time->value.count()) + "ms",
                lim.wall_time->origin,
                "supervisor timer: SIGTERM, 2s grace, SIGKILL of the whole pid namespace (exit 124)");
    }
    // Core dumps would write sandbox memory to disk outside any rule.
    plan.rlimits.push_back(RlimitSetting{RLIMIT_CORE, "RLIMIT_CORE", 0, "no core dumps"});
    plan.verdicts.push_back(RuleVerdict{"core dumps", "", "RLIMIT_CORE = 0"});
}

// Whether `dir` (a host directory, mounted at the same path) can be entered
// in the sandbox: the deepest mount at or above it decides.
bool visible_in_sandbox(const LinuxPlan& plan, const std::string& dir) {
    const MountOp* deepest = nullptr;
    for (const auto& m : plan.mounts) {
        const bool covers = m.target == "/" || dir == m.target ||
                            (dir.size() > m.target.size() && dir.compare(0, m.target.size(), m.target) == 0 &&
                             dir[m.target.size()] == '/');
        if (covers && (deepest == nullptr || m.target.size() >= deepest->target.size())) deepest = &m;
    }
    if (deepest == nullptr) return false;
    switch (deepest->kind) {
        case MountKind::BindRo:
        case MountKind::BindRw:
            return deepest->is_dir;
        case MountKind::Proc:
        case MountKind::Dev:
            return true;
        case MountKind::Tmp:  // private and empty: only the mount point itself exists
        case MountKind::TmpDir:
            return dir == deepest->target;
        case MountKind::RootTmpfs:
            return dir == "/";
        case MountKind::LearnView:
            return true;
        case MountKind::MaskDir:
        case MountKind::MaskFile:
        case MountKind::Symlink:
        case MountKind::Generated:
            return false;
    }
    return false;
}

// -w without -C (issue 12, item 5): a caller outside the workspace starts in
// the workspace rather than failing on a directory the sandbox cannot see.
void compile_cwd(const HostFacts& facts, LinuxPlan& plan) {
    plan.cwd = facts.cwd;
    if (facts.cwd_fallback.empty() || facts.cwd_fallback == facts.cwd) return;
    if (visible_in_sandbox(plan, facts.cwd) || !visible_in_sandbox(plan, facts.cwd_fallback)) return;
    plan.cwd = facts.cwd_fallback;
    plan.cwd_note = "working directory " + facts.cwd +
                    " is not visible in the sandbox: starting in the workspace " + facts.cwd_fallback +
                    " (-C DIR to choose)";
}

}  // namespace

std::vector<std::string> untrusted_areas(const policy::ResolvedPolicy& policy, const HostFacts& facts) {
    std::vector<std::string> areas;
    for (const auto& root : policy::writable_area_roots(policy)) {
        areas.push_back(root);
        // Links are recorded where they physically live: compare with the
        // root's resolved form too (e.g. a workspace reached through a link).
        auto it = facts.paths.find(root);
        if (it != facts.paths.end() && it->second.exists && it->second.resolved != root)
            areas.push_back(it->second.resolved);
    }
    return areas;
}

const char* to_string(MountKind kind) {
    switch (kind) {
        case MountKind::RootTmpfs:
            return "root-tmpfs";
        case MountKind::BindRo:
            return "bind-ro";
        case MountKind::BindRw:
            return "bind-rw";
        case MountKind::MaskDir:
            return "mask-dir";
        case MountKind::MaskFile:
            return "mask-file";
        case MountKind::Proc:
            return "proc";
        case MountKind::Dev:
            return "dev";
        case MountKind::Tmp:
            return "tmpfs";
        case MountKind::TmpDir:
            return "tmp-dir";
        case MountKind::Symlink:
            return "symlink";
        case MountKind::Generated:
            return "generated";
        case MountKind::LearnView:
            return "learn-view";
    }
    return "?";
}

std::uint64_t landlock_fs_rights(int abi) {
    if (abi <= 0) return 0;
    std::uint64_t rights = (ll::kMakeSym << 1) - 1;  // ABI 1: bits 0..12
    if (abi >= 2) rights |= ll::kRefer;
    if (abi >= 3) rights |= ll::kTruncate;
    if (abi >= 5) rights |= ll::kIoctlDev;
    return rights;
}

LinuxPlan compile_plan(const policy::ResolvedPolicy& policy, const HostFacts& facts) {
    LinuxPlan plan;
    plan.best_effort = policy.best_effort.value;
    plan.uid = facts.uid;
    plan.gid = facts.gid;
    plan.cgroup_sweep_dirs = facts.cgroup_sweep_dirs;

    if (!facts.user_namespaces) {
        plan.verdicts.push_back(RuleVerdict{
            "sandbox", "", "", Severity::Fatal,
            "user namespaces are unavailable (" + facts.user_namespaces_detail +
                "): enable them (sysctl user.max_user_namespaces / kernel.unprivileged_userns_clone)"});
    } else {
        plan.verdicts.push_back(
            RuleVerdict{"sandbox", "",
                        "user namespace (uid " + std::to_string(facts.uid) +
                            " mapped to itself), mount namespace (tmpfs root, pivot_root), "
                            "pid namespace with init"});
    }
    compile_network(policy, facts, plan);
    // [network].unix (issue 11, item 4): the broker's rules when there is a
    // broker, and a verdict per entry either way.
    if (plan.broker) plan.broker->unix_sockets = compile_unix_sockets(policy, facts, plan.verdicts);
    for (auto& v : unix_socket_verdicts(policy)) plan.verdicts.push_back(std::move(v));
    compile_paths(policy, facts, plan);
    compile_dns(policy, plan);
    compile_absent_protected(policy, facts, plan);
    compile_cwd(facts, plan);
    compile_limits(policy, facts, plan);
    compile_ram_filesystems(policy, facts, plan);
    plan.env = compile_env(policy.env, facts.environ, facts.session_id);
    if (plan.proxy) add_proxy_env(*plan.proxy, plan.env);
    if (plan.dns && !plan.proxy) add_no_network_env(plan.env);
    return plan;
}

}  // namespace mxc::lnx
