// `mxc exec --dry-run` output for Windows: one item per line, stable order.
#include <cstdio>

#include "platform/windows/plan/plan_parts.hpp"

namespace mxc::platform::win {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

std::string ip_text(const net::IpNet& n) {
    char buf[64];
    if (n.is_v4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u/%d", n.addr[12], n.addr[13], n.addr[14], n.addr[15],
                      n.prefix - 96);
        return buf;
    }
    std::string out;
    for (int i = 0; i < 16; i += 2) {
        std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (n.addr[i] << 8) | n.addr[i + 1]);
        out += buf;
    }
    return out + "/" + std::to_string(n.prefix);
}

std::string condition_text(const WfpCondition& c) {
    const char* op = c.match == WfpMatch::NotEqual ? " != " : " == ";
    switch (c.field) {
        case WfpField::AlePackageId:
            return std::string("ALE_PACKAGE_ID") + op + c.principal;
        case WfpField::AleUserId:
            return std::string("ALE_USER_ID") + op + c.principal;
        case WfpField::IpRemoteAddress:
            return std::string("IP_REMOTE_ADDRESS") + op + ip_text(c.net);
        case WfpField::IpRemotePort:
            if (c.match == WfpMatch::Range)
                return "IP_REMOTE_PORT in " + std::to_string(c.port_lo) + "-" + std::to_string(c.port_hi);
            return std::string("IP_REMOTE_PORT") + op + std::to_string(c.port_lo);
        case WfpField::IpProtocol:
            return std::string("IP_PROTOCOL") + op + std::to_string(c.protocol);
    }
    return "?";
}

}  // namespace

const char* to_string(WfpLayer layer) {
    switch (layer) {
        case WfpLayer::AleAuthConnectV4:
            return "ALE_AUTH_CONNECT_V4";
        case WfpLayer::AleAuthConnectV6:
            return "ALE_AUTH_CONNECT_V6";
        case WfpLayer::AleAuthRecvAcceptV4:
            return "ALE_AUTH_RECV_ACCEPT_V4";
        case WfpLayer::AleAuthRecvAcceptV6:
            return "ALE_AUTH_RECV_ACCEPT_V6";
    }
    return "?";
}

const char* to_string(WfpField field) {
    switch (field) {
        case WfpField::AlePackageId:
            return "ALE_PACKAGE_ID";
        case WfpField::AleUserId:
            return "ALE_USER_ID";
        case WfpField::IpRemoteAddress:
            return "IP_REMOTE_ADDRESS";
        case WfpField::IpRemotePort:
            return "IP_REMOTE_PORT";
        case WfpField::IpProtocol:
            return "IP_PROTOCOL";
    }
    return "?";
}

std::string describe(const WindowsPlan& plan) {
    std::string out;
    auto line = [&](const std::string& s) { out += s + "\n"; };
    line("run sid: " + plan.run_sid);
    if (plan.isolation == Isolation::AppContainer) {
        line("isolation: appcontainer " + plan.app_container.profile_name);
        line("  capabilities: " + join(plan.app_container.capability_sids));
    } else {
        const auto& t = plan.restricted_token;
        line("isolation: restricted token flags=" + detail::hex32(t.flags) + " integrity=" + t.integrity_sid);
        line("  deny-only: " + join(t.deny_only_sids));
        line("  restricting: " + join(t.restricting_sids));
    }
    line(std::string("desktop: ") +
         (plan.desktop.private_desktop ? "private " + plan.desktop.name : "shared"));
    if (plan.mitigations.child_process_restricted) line("mitigation: child process creation blocked");
    const auto& j = plan.job;
    line("job: flags=" + detail::hex32(j.limit_flags) + " ui=" + detail::hex32(j.ui_restrictions) +
         " processes=" + std::to_string(j.active_process_limit) +
         " memory=" + std::to_string(j.job_memory_limit) +
         " user_time_100ns=" + std::to_string(j.per_process_user_time_100ns) +
         (j.wall_time ? " wall_ms=" + std::to_string(j.wall_time->count()) : ""));
    for (const auto& d : plan.create_dirs) line("create dir: " + d);
    for (const auto& g : plan.acl) {
        line(std::string("ace: ") + (g.type == AceType::Allow ? "allow " : "deny ") + detail::hex32(g.mask) +
             " inherit=" + std::to_string(g.inheritance) + (g.low_integrity_label ? " label=low" : "") +
             (g.needs_short_name_resolution ? " resolve-8.3" : "") +
             (g.on_link_itself ? " link-itself" : "") + " " + g.path);
    }
    if (plan.wfp.enabled) {
        line("wfp: dynamic session, sublayer \"" + plan.wfp.sublayer_name + "\" weight " +
             std::to_string(plan.wfp.sublayer_weight));
        for (const auto& f : plan.wfp.filters) {
            std::string conds;
            for (const auto& c : f.conditions) conds += (conds.empty() ? "" : " && ") + condition_text(c);
            line(std::string("  filter: ") + to_string(f.layer) + " " +
                 (f.action == WfpAction::Permit ? "permit" : "block") + " w=" + std::to_string(f.weight) +
                 (f.hard_permit ? " hard" : "") + " [" + f.name + "] " + conds);
        }
    } else {
        line("wfp: none");
    }
    for (const auto& [k, v] : plan.proxy_env) line(std::string("env: ").append(k).append("=").append(v));
    for (const auto& v : plan.verdicts) {
        line(std::string(v.enforceable() ? "enforced: " : "NOT ENFORCEABLE: ") + v.subject() + ": " +
             v.mechanism + (v.enforceable() ? "" : "; missing: " + v.reason));
    }
    for (const auto& v : plan.verdicts) {
        if (v.severity == Severity::Warning || v.severity == Severity::Caveat)
            line("warning: " + v.message());
    }
    return out;
}

}  // namespace mxc::platform::win
