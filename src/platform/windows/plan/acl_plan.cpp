// Filesystem rules as ACEs for the run SID. One ACE per rule root, inheritable,
// set once: the OS propagates it. Nesting follows docs/design.md ("most specific
// wins"): explicit ACEs on the inner path sort before the ACEs it inherits
// from the outer one, so the inner rule decides.
#include <algorithm>

#include "platform/windows/plan/plan_parts.hpp"
#include "platform/windows/plan/win_constants.hpp"
#include "platform/windows/plan/win_path.hpp"
#include "policy/writable_areas.hpp"

namespace mxc::platform::win::detail {
namespace {

bool is_posix_absolute(const std::string& path) {
    return path.size() >= 1 && path[0] == '/' && (path.size() == 1 || path[1] != '/');
}

struct Rule {
    WinPath path;
    const policy::PathRule* source;
};

// Where an earlier sandboxed run could have created a link: strictly inside
// the workspace, a write rule of this plan, a home directory some built-in
// profile makes writable (policy::writable_area_roots, shared with Linux) or
// %TEMP%. The roots themselves are trusted as given: a run can only replace
// what lies below a directory it may write. POSIX-only roots (/tmp) name
// nothing on Windows and are skipped.
std::vector<std::string> writable_areas(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts,
                                        const std::vector<Rule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules)
        if (r.source->access == policy::Access::Write) out.push_back(r.path.extended);
    auto roots = policy::writable_area_roots(policy);
    roots.push_back(facts.temp_dir);
    for (const auto& p : roots) {
        if (p.empty() || is_posix_absolute(p)) continue;
        if (auto ext = to_extended_path(p)) out.push_back(ext->extended);
    }
    return out;
}

struct LinkInArea {
    const PathFact* fact = nullptr;
    std::string area;
};

LinkInArea planted_link(const Rule& rule, const WindowsHostFacts& facts,
                        const std::vector<std::string>& areas) {
    for (const auto& f : facts.path_facts) {
        if (f.link.empty() || !path_equal(f.path, rule.path.extended)) continue;
        for (const auto& a : areas)
            if (path_within(f.link, a) && !path_equal(f.link, a)) return {&f, a};
    }
    return {};
}

std::string link_text(const PathFact& f) {
    return f.link + (f.link_target.empty() ? "" : " -> " + f.link_target);
}

}  // namespace

void plan_acl(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan) {
    std::vector<Rule> rules;
    for (const auto& r : policy.paths) {
        std::string rule_text = std::string("filesystem.") + policy::to_string(r.access) + " " + r.path;
        // "/usr", "/etc": a POSIX path names nothing on Windows, like any path
        // that does not exist, so the same profile (the built-ins included)
        // can serve both systems. Skipping it grants nothing; a deny on it
        // has nothing to hide.
        if (is_posix_absolute(r.path) && r.missing.value == policy::MissingPaths::Ignore) {
            add_verdict(plan, rule_text, r.origin,
                        "none: a POSIX path does not exist on Windows (filesystem.missing = \"ignore\")");
            continue;
        }
        auto p = to_extended_path(r.path);
        if (!p) {
            add_unenforceable(plan, rule_text, r.origin, "none", p.error().message);
            continue;
        }
        // The loader merged equal paths byte-wise; Windows also merges paths that
        // differ only in case.
        auto same = std::find_if(rules.begin(), rules.end(),
                                 [&](const Rule& x) { return path_equal(x.path.extended, p->extended); });
        if (same != rules.end()) {
            if (policy::overrides(r.access, same->source->access)) *same = Rule{*p, &r};
            continue;
        }
        rules.push_back(Rule{*p, &r});
    }
    // Parents before children; ancestors always sort first when compared folded.
    std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
        return fold_case(a.path.extended) < fold_case(b.path.extended);
    });

    const auto areas = writable_areas(policy, facts, rules);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Rule& rule = rules[i];
        const auto& src = *rule.source;
        const std::string rule_text =
            std::string("filesystem.") + policy::to_string(src.access) + " " + src.path;

        // mxc's journal and binary: a run that could write them would steer
        // the next start (journal replay runs with the user's full rights).
        if (src.access == policy::Access::Write) {
            const std::string* hit = nullptr;
            for (const auto& d : facts.private_dirs)
                if (path_within(d, rule.path.extended) || path_within(rule.path.extended, d)) hit = &d;
            if (hit) {
                add_unenforceable(
                    plan, rule_text, src.origin, "none",
                    "it covers " + *hit +
                        ", mxc's own journal or program directory, which a sandboxed run must not "
                        "write: narrow the rule");
                continue;
            }
        }

        // I1: never through a link a sandboxed run could have planted (an ACE
        // on its target, say C:\, would persist until the journal restores it).
        if (auto planted = planted_link(rule, facts, areas); planted.fact) {
            const std::string why = "goes through " + link_text(*planted.fact) +
                                    ", a link inside the writable area " + planted.area +
                                    " (a sandboxed run could have made it)";
            if (src.access == policy::Access::Deny) {
                AclGrant g;
                g.path = planted.fact->link;
                g.rule_path = src.path;
                g.access = src.access;
                g.type = AceType::Deny;
                g.mask = k::kDenyMask;
                g.inheritance = 0;
                g.trustee_sid = plan.run_sid;
                g.on_link_itself = true;
                g.origin = src.origin;
                plan.acl.push_back(g);
                add_verdict(plan, rule_text, src.origin,
                            "deny ACE " + hex32(k::kDenyMask) + " on the link " + planted.fact->link +
                                " itself (not followed: the path " + why + ")");
            } else {
                add_warning(plan, rule_text, src.origin,
                            "none: the path " + why + "; nothing is granted through it",
                            "applies to nothing: the path " + why);
            }
            continue;
        }
        const Rule* parent = nullptr;  // nearest enclosing rule
        for (std::size_t j = i; j-- > 0;) {
            if (path_within(rule.path.extended, rules[j].path.extended)) {
                parent = &rules[j];
                break;
            }
        }

        AclGrant g;
        g.path = rule.path.extended;
        g.rule_path = src.path;
        g.access = src.access;
        g.inheritance = k::kSubContainersAndObjectsInherit;
        g.trustee_sid = plan.run_sid;
        g.needs_short_name_resolution = rule.path.short_name_suspect;
        g.origin = src.origin;
        if (src.missing.value == policy::MissingPaths::Error) {
            g.missing_refusal = std::string("filesystem.") + policy::to_string(src.access) + " " + src.path +
                                " (" + src.origin.describe() +
                                "): path does not exist (set [filesystem].missing = \"ignore\" to skip it)";
        }

        std::string mechanism;
        switch (src.access) {
            case policy::Access::Read:
                g.type = AceType::Allow;
                g.mask = k::kReadMask;
                plan.acl.push_back(g);
                mechanism = "allow ACE " + hex32(k::kReadMask);
                if (parent && parent->source->access == policy::Access::Write) {
                    AclGrant deny = g;
                    deny.type = AceType::Deny;
                    deny.mask = k::kWriteOnlyBits;
                    plan.acl.push_back(deny);
                    mechanism += " + deny ACE " + hex32(k::kWriteOnlyBits) +
                                 " (read-only inside write rule " + parent->source->path + ")";
                }
                break;
            case policy::Access::Write:
                g.type = AceType::Allow;
                g.mask = k::kWriteMask;
                g.low_integrity_label = true;
                plan.acl.push_back(g);
                mechanism = "allow ACE " + hex32(k::kWriteMask) + " + Low integrity label";
                break;
            case policy::Access::Deny:
                g.type = AceType::Deny;
                g.mask = k::kDenyMask;
                plan.acl.push_back(g);
                // A deny ACE blocks opening, not seeing: the name still shows in
                // the parent's listing.
                mechanism = "deny ACE " + hex32(k::kDenyMask) + " (name stays visible in listings)";
                break;
        }
        mechanism += ", inherited, for run SID";
        if (rule.path.short_name_suspect) mechanism += "; 8.3 name resolved at launch";
        add_verdict(plan, rule_text, src.origin, mechanism);
    }

    if (!policy.tmp.empty()) {
        auto tmp = to_extended_path(policy.tmp);
        if (tmp) plan.create_dirs.push_back(tmp->extended);
    }
}

}  // namespace mxc::platform::win::detail
