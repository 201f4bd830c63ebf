// Network rules as WFP filters in mxc's own sublayer, inside a dynamic session
// (they vanish when mxc's engine handle closes, crash included).
//
// Keying: a filter must match the sandbox's processes and nothing else (not
// mxc itself, whose proxy makes the allowed connections). The AppContainer
// package SID alone cannot do that when two runs share a container, and a
// restricted token has no package at all, so every filter carries an
// FWPM_CONDITION_ALE_USER_ID condition: "the token FAILS an access check
// against this descriptor" (FWP_MATCH_NOT_EQUAL). The descriptor denies the
// run SID first and grants everybody else, so only tokens holding the run SID
// in a restricting/capability pass fail it.
#include "platform/windows/plan/plan_parts.hpp"
#include "platform/windows/plan/win_constants.hpp"

namespace mxc::platform::win::detail {
namespace {

std::string run_matching_sddl(const WindowsPlan& plan, const WindowsHostFacts& facts) {
    // CC = 0x1 = FWP_ACTRL_MATCH_FILTER, the right WFP checks for.
    // WD Everyone, AC all application packages, RC restricted code, S-1-0-0 the
    // null SID (Chromium's lockdown tokens): a token from elsewhere that
    // happens to be restricted passes through one of these, so it is not matched.
    std::string sddl =
        "O:SYG:SYD:(D;;CC;;;" + plan.run_sid + ")(A;;CC;;;WD)(A;;CC;;;AC)(A;;CC;;;RC)(A;;CC;;;S-1-0-0)";
    if (!facts.user_sid.empty()) sddl += "(A;;CC;;;" + facts.user_sid + ")";
    return sddl;
}

std::vector<WfpCondition> principal_conditions(const WindowsPlan& plan, const WindowsHostFacts& facts) {
    std::vector<WfpCondition> c;
    if (plan.isolation == Isolation::AppContainer) {
        WfpCondition pkg;
        pkg.field = WfpField::AlePackageId;
        pkg.match = WfpMatch::Equal;
        pkg.principal = plan.app_container.profile_name;
        c.push_back(pkg);
    }
    WfpCondition user;
    user.field = WfpField::AleUserId;
    user.match = WfpMatch::NotEqual;
    user.principal = run_matching_sddl(plan, facts);
    c.push_back(user);
    return c;
}

WfpCondition remote_addr(const net::IpNet& n) {
    WfpCondition c;
    c.field = WfpField::IpRemoteAddress;
    c.net = n;
    return c;
}

WfpCondition remote_port(std::uint16_t port) {
    WfpCondition c;
    c.field = WfpField::IpRemotePort;
    c.port_lo = c.port_hi = port;
    return c;
}

WfpCondition protocol(std::uint8_t proto) {
    WfpCondition c;
    c.field = WfpField::IpProtocol;
    c.protocol = proto;
    return c;
}

net::IpNet loopback_v4() {
    net::IpNet n;
    n.is_v4 = true;
    n.addr[10] = 0xff;
    n.addr[11] = 0xff;
    n.addr[12] = 127;
    n.addr[15] = 1;
    n.prefix = 128;
    return n;
}

struct Builder {
    WindowsPlan& plan;
    std::vector<WfpCondition> who;

    void add(std::string name, WfpLayer layer, WfpAction action, std::uint8_t weight,
             std::vector<WfpCondition> extra = {}) {
        WfpFilter f;
        f.name = std::move(name);
        f.layer = layer;
        f.action = action;
        f.weight = weight;
        // Hard permit: a block in a lower-weight sublayer (the OS firewall's,
        // for one) cannot veto it. It is not relied on to pierce AppContainer
        // loopback isolation: plans with the proxy use a restricted token.
        f.hard_permit = action == WfpAction::Permit;
        f.conditions = who;
        for (auto& c : extra) f.conditions.push_back(std::move(c));
        plan.wfp.filters.push_back(std::move(f));
    }

    // One filter per port (or one for ":*") on the layer of the address family.
    void add_cidr(const std::string& what, const net::HostRule& rule, WfpAction action,
                  std::uint8_t port_weight, std::uint8_t any_weight) {
        WfpLayer layer = rule.net.is_v4 ? WfpLayer::AleAuthConnectV4 : WfpLayer::AleAuthConnectV6;
        if (rule.ports.any) {
            add(what + " " + rule.text, layer, action, any_weight, {remote_addr(rule.net)});
            return;
        }
        // An empty port list means the default set (docs/design.md: "HOST without a
        // port means ports 80 and 443").
        std::vector<std::uint16_t> ports = rule.ports.ports;
        if (ports.empty()) ports = {80, 443};
        for (auto port : ports) {
            add(what + " " + rule.text + " port " + std::to_string(port), layer, action, port_weight,
                {remote_addr(rule.net), remote_port(port)});
        }
    }
};

}  // namespace

void plan_wfp(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan) {
    const auto& mode = policy.network.mode;
    const bool appcontainer = plan.isolation == Isolation::AppContainer;
    if (mode.value == policy::NetMode::Host) {
        plan.wfp.enabled = false;
        add_verdict(plan, "network.mode host", mode.origin,
                    appcontainer ? "no filtering; AppContainer network capabilities" : "no filtering");
        return;
    }

    plan.wfp.enabled = true;
    plan.wfp.sublayer_name = "mxc run " + facts.run_id;
    Builder b{plan, principal_conditions(plan, facts)};

    // Block by default, both directions, both families. Everything else is an
    // exception with a higher weight.
    b.add("default block connect v4", WfpLayer::AleAuthConnectV4, WfpAction::Block, weight::kDefaultBlock);
    b.add("default block connect v6", WfpLayer::AleAuthConnectV6, WfpAction::Block, weight::kDefaultBlock);
    b.add("default block accept v4", WfpLayer::AleAuthRecvAcceptV4, WfpAction::Block, weight::kDefaultBlock);
    b.add("default block accept v6", WfpLayer::AleAuthRecvAcceptV6, WfpAction::Block, weight::kDefaultBlock);

    // An AppContainer confines "none" without WFP, but host-name rules rule
    // it out (isolation_plan.cpp), so it is no advice for them.
    const bool suggest_appcontainer = !appcontainer && !needs_egress_proxy(policy);
    const std::string wfp_missing =
        "WFP filter engine not accessible (FwpmEngineOpen0 error " + std::to_string(facts.wfp_error) +
        "; it needs an elevated mxc): run elevated" +
        (suggest_appcontainer ? ", use [windows].isolation = \"appcontainer\"" : "") +
        " or pass --best-effort";

    if (mode.value == policy::NetMode::None) {
        if (appcontainer) {
            // No network capability: the container has no network even without WFP.
            add_verdict(plan, "network.mode none", mode.origin,
                        std::string("AppContainer without network capabilities") +
                            (facts.wfp_available ? " + WFP block filters" : ""));
        } else if (facts.wfp_available) {
            add_verdict(plan, "network.mode none", mode.origin, "WFP block filters keyed on the run SID");
        } else {
            add_unenforceable(plan, "network.mode none", mode.origin, "WFP block filters", wfp_missing);
        }
        return;
    }

    // Allowlist.
    if (facts.wfp_available) {
        add_verdict(plan, "network.mode allowlist", mode.origin,
                    "WFP: default block, permits for the egress proxy and IP rules");
    } else {
        add_unenforceable(
            plan, "network.mode allowlist", mode.origin,
            appcontainer ? "AppContainer without network capabilities (all egress blocked)" : "none",
            wfp_missing);
    }

    if (facts.proxy_port != 0) {
        b.add("permit egress proxy 127.0.0.1:" + std::to_string(facts.proxy_port), WfpLayer::AleAuthConnectV4,
              WfpAction::Permit, weight::kProxyPermit,
              {remote_addr(loopback_v4()), remote_port(facts.proxy_port), protocol(k::kIpProtoTcp)});
        const std::string tcp = "http://127.0.0.1:" + std::to_string(facts.proxy_port);
        const std::string socks = "socks5h://127.0.0.1:" + std::to_string(facts.proxy_port);
        // Windows variable names are case-insensitive: one spelling covers both.
        plan.proxy_env["HTTP_PROXY"] = plan.proxy_env["HTTPS_PROXY"] = tcp;
        plan.proxy_env["ALL_PROXY"] = socks;
        // An inherited NO_PROXY would send traffic around the proxy, where it has no route.
        plan.proxy_env["NO_PROXY"] = "";
    }

    for (const auto& allow : policy.network.allow) {
        std::string rule_text = "network.allow " + allow.value;
        const auto& rule = allow.parsed;
        if (!rule) {
            add_unenforceable(plan, rule_text, allow.origin, "none", policy::kUnparsedHostRule);
            continue;
        }
        if (rule->kind == net::HostRule::Kind::Cidr) {
            b.add_cidr("permit", *rule, WfpAction::Permit, weight::kPortPermit, weight::kAnyPortPermit);
            add_verdict(plan, rule_text, allow.origin, "WFP permit filter(s)");
        } else {
            // exec starts the proxy before compiling; --dry-run and explain
            // compile without it (port 0) and say where it will be.
            add_verdict(plan, rule_text, allow.origin,
                        "egress proxy on 127.0.0.1:" +
                            (facts.proxy_port != 0 ? std::to_string(facts.proxy_port)
                                                   : std::string("<port chosen at launch>")) +
                            " (HTTP_PROXY & co.; names resolved by mxc, every address re-checked)");
        }
    }
    for (const auto& deny : policy.network.deny) {
        std::string rule_text = "network.deny " + deny.value;
        const auto& rule = deny.parsed;
        if (!rule) {
            add_unenforceable(plan, rule_text, deny.origin, "none", policy::kUnparsedHostRule);
            continue;
        }
        if (rule->kind == net::HostRule::Kind::Cidr) {
            b.add_cidr("block", *rule, WfpAction::Block, weight::kDenyRule, weight::kDenyRule);
            add_verdict(plan, rule_text, deny.origin, "WFP block filter(s) above every permit");
        } else {
            add_verdict(plan, rule_text, deny.origin,
                        "egress proxy refuses it; everything else is blocked by default");
        }
    }

    // Ports that leak data or credentials without looking like web traffic:
    // DNS (tunnelling), DNS-over-TLS, SMB/NetBIOS (NTLM hashes to any host).
    // Above ":*" permits; a rule that names the port explicitly still wins.
    for (WfpLayer layer : {WfpLayer::AleAuthConnectV4, WfpLayer::AleAuthConnectV6}) {
        const char* fam = layer == WfpLayer::AleAuthConnectV4 ? "v4" : "v6";
        for (std::uint16_t port : {53, 853, 139, 445}) {
            b.add(std::string("block port ") + std::to_string(port) + " " + fam, layer, WfpAction::Block,
                  weight::kSensitiveBlock, {remote_port(port)});
        }
        std::uint8_t icmp = layer == WfpLayer::AleAuthConnectV4 ? k::kIpProtoIcmp : k::kIpProtoIcmpV6;
        b.add(std::string("block icmp ") + fam, layer, WfpAction::Block, weight::kSensitiveBlock,
              {protocol(icmp)});
    }
}

}  // namespace mxc::platform::win::detail
