// Filesystem rules as ACEs for the run SID. One ACE per rule root, inheritable,
// set once: the OS propagates it. Nesting follows DESIGN.md ("most specific
// wins"): explicit ACEs on the inner path sort before the ACEs it inherits
// from the outer one, so the inner rule decides.
#include <algorithm>

#include "platform/windows/plan/plan_parts.hpp"
#include "platform/windows/plan/win_constants.hpp"
#include "platform/windows/plan/win_path.hpp"

namespace mxc::platform::win::detail {
namespace {

// deny > read > write on the same path (DESIGN.md).
int precedence(policy::Access a) {
    switch (a) {
        case policy::Access::Deny:
            return 3;
        case policy::Access::Read:
            return 2;
        case policy::Access::Write:
            return 1;
    }
    return 0;
}

bool is_posix_absolute(const std::string& path) {
    return path.size() >= 1 && path[0] == '/' && (path.size() == 1 || path[1] != '/');
}

struct Rule {
    WinPath path;
    const policy::PathRule* source;
};

}  // namespace

void plan_acl(const policy::ResolvedPolicy& policy, WindowsPlan& plan) {
    std::vector<Rule> rules;
    for (const auto& r : policy.paths) {
        std::string rule_text = std::string("filesystem.") + policy::to_string(r.access) + " " + r.path;
        // "/usr", "/etc": a POSIX path names nothing on Windows, like any path
        // that does not exist, so the same profile (the built-ins included)
        // can serve both systems. Skipping it grants nothing; a deny on it
        // has nothing to hide.
        if (is_posix_absolute(r.path) && policy.missing.value == policy::MissingPaths::Ignore) {
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
            if (precedence(r.access) > precedence(same->source->access)) *same = Rule{*p, &r};
            continue;
        }
        rules.push_back(Rule{*p, &r});
    }
    // Parents before children; ancestors always sort first when compared folded.
    std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
        return fold_case(a.path.extended) < fold_case(b.path.extended);
    });

    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Rule& rule = rules[i];
        const auto& src = *rule.source;
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

        std::string rule_text = std::string("filesystem.") + policy::to_string(src.access) + " " + src.path;
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
