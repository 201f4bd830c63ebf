// Which token the command runs with: an AppContainer (preferred: the kernel
// treats it as a separate principal, with no access to the user's files unless
// granted) or a restricted token (Windows 7, when a profile asks for it, or
// when host-name rules need the loopback egress proxy).
#include "platform/windows/plan/journal_format.hpp"
#include "platform/windows/plan/plan_parts.hpp"
#include "platform/windows/plan/win_constants.hpp"

namespace mxc::platform::win::detail {

void plan_isolation(const policy::ResolvedPolicy& policy, const WindowsHostFacts& facts, WindowsPlan& plan) {
    const auto& wanted = policy.windows.isolation;
    bool appcontainer = wanted.value == policy::WindowsIsolation::AppContainer;
    if (appcontainer && needs_egress_proxy(policy)) {
        // AppContainers are cut off from loopback (network isolation), and the
        // egress proxy listens there. The only way through is the machine-wide
        // loopback exemption list (NetworkIsolationSetAppContainerConfig,
        // documented "for debugging purposes"): a persistent system change that
        // outlives a crashed mxc. The restricted token reaches loopback, and
        // WFP confines it to the proxy's port.
        add_verdict(plan, "windows.isolation appcontainer", wanted.origin,
                    "restricted token instead (Low integrity, restricting run SID): host-name rules need the "
                    "egress proxy on 127.0.0.1, which an AppContainer cannot connect to");
        appcontainer = false;
    }

    if (appcontainer && !facts.appcontainer_supported) {
        // Best effort falls back to the strongest thing this host has.
        add_unenforceable(plan, "windows.isolation appcontainer", wanted.origin,
                          "restricted token (fallback)",
                          "AppContainers need Windows 8 or later (CreateAppContainerProfile not found): "
                          "set [windows].isolation = \"restricted-token\" or pass --best-effort");
        appcontainer = false;
    }

    if (appcontainer) {
        plan.isolation = Isolation::AppContainer;
        // Per run: a reused profile's AC folder, registry storage and named
        // objects would carry state from one run into the next. The applier
        // journals it and deletes it after the run.
        plan.app_container.profile_name =
            per_run_container_name(appcontainer_profile_name(policy.name, policy.workspace), facts.run_id);
        plan.app_container.display_name = "mxc " + policy.name;
        if (policy.network.mode.value == policy::NetMode::Host) {
            plan.app_container.capability_sids = {k::kCapInternetClient, k::kCapInternetClientServer,
                                                  k::kCapPrivateNetworkClientServer};
        }
        // The run SID rides along as a capability: ACEs and WFP filters name it,
        // so two runs sharing one container profile stay apart.
        plan.app_container.capability_sids.push_back(plan.run_sid);
        add_verdict(plan, "windows.isolation appcontainer", wanted.origin,
                    "AppContainer " + plan.app_container.profile_name + " + run capability " + plan.run_sid);
    } else {
        plan.isolation = Isolation::RestrictedToken;
        auto& t = plan.restricted_token;
        t.flags = k::kDisableMaxPrivilege;
        t.deny_only_sids = {k::kSidAdministrators, k::kSidPowerUsers, k::kSidBackupOperators,
                            k::kSidNetworkConfigOperators, k::kSidLocalAccountAndAdmin};
        // Second access-check pass: only what the run was granted, plus the
        // groups system files are readable through. The user's own SID is not
        // here, so the user's files are out of reach unless granted.
        t.restricting_sids = {plan.run_sid, k::kSidEveryone, k::kSidUsers, k::kSidRestrictedCode};
        if (!facts.logon_sid.empty() && policy.windows.desktop.value == policy::WindowsDesktop::Shared) {
            // The shared interactive desktop is ACL'd to the logon SID; without
            // it user32 cannot attach and GUI-linked programs fail to start.
            t.restricting_sids.push_back(facts.logon_sid);
        }
        t.integrity_sid = k::kSidLowIntegrity;
        if (wanted.value == policy::WindowsIsolation::RestrictedToken) {
            add_verdict(plan, "windows.isolation restricted-token", wanted.origin,
                        "restricted token: DISABLE_MAX_PRIVILEGE, admin groups deny-only, restricting SIDs, "
                        "Low integrity");
        }
    }

    const auto& desk = policy.windows.desktop;
    if (desk.value == policy::WindowsDesktop::Private) {
        plan.desktop.private_desktop = true;
        plan.desktop.name = "mxc-" + facts.run_id.substr(0, 12);
        if (facts.private_desktop_available) {
            add_verdict(plan, "windows.desktop private", desk.origin, "private desktop " + plan.desktop.name);
        } else {
            add_unenforceable(plan, "windows.desktop private", desk.origin, "shared desktop",
                              "this session cannot create desktops (CreateDesktopW failed): "
                              "set [windows].desktop = \"shared\" or pass --best-effort");
        }
    }

    if (policy.limits.processes && policy.limits.processes->value == 1) {
        plan.mitigations.child_process_restricted = true;
    }
}

}  // namespace mxc::platform::win::detail
