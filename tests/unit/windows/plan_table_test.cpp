// The whole plan for a table of profiles, in one compact line each: which
// isolation and SIDs, which job flags, which ACEs on which paths, how many WFP
// filters of each kind. The focused tests next to this file pin the details.
#include <doctest/doctest.h>

#include <cstdio>

#include "plan_fixtures.hpp"

using namespace mxc;
using namespace mxc::platform::win;
using mxc::test::win::add_path;
using mxc::test::win::base_policy;
using mxc::test::win::facts;
using policy::Access;

namespace {

std::string hex(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%X", v);
    return b;
}

std::string summary(const WindowsPlan& p) {
    std::string s;
    if (p.isolation == Isolation::AppContainer) {
        s += "ac caps=" + std::to_string(p.app_container.capability_sids.size());
    } else {
        s += "rt restricting=" + std::to_string(p.restricted_token.restricting_sids.size()) +
             " denyonly=" + std::to_string(p.restricted_token.deny_only_sids.size());
    }
    s += p.desktop.private_desktop ? " desk=private" : " desk=shared";
    s += " job=" + hex(p.job.limit_flags) + " ui=" + hex(p.job.ui_restrictions);
    for (const auto& g : p.acl) {
        auto slash = g.path.find_last_of('\\');
        s += std::string(" ") + (g.type == AceType::Allow ? "+" : "-") + hex(g.mask) + ":" +
             g.path.substr(slash + 1);
    }
    int permits = 0, blocks = 0;
    for (const auto& f : p.wfp.filters) (f.action == WfpAction::Permit ? permits : blocks)++;
    s += p.wfp.enabled ? " wfp=" + std::to_string(permits) + "p/" + std::to_string(blocks) + "b" : " wfp=off";
    int bad = 0;
    for (const auto& v : p.verdicts) bad += v.enforceable() ? 0 : 1;
    s += " unenforceable=" + std::to_string(bad);
    return s;
}

}  // namespace

TEST_CASE("plan table") {
    struct Row {
        const char* name;
        policy::ResolvedPolicy policy;
        WindowsHostFacts facts;
        const char* expected;
    };
    std::vector<Row> rows;

    {  // default-like: workspace + tmp writable, secrets denied, no network
        auto p = base_policy("default");
        add_path(p, "C:\\work\\proj", Access::Write);
        add_path(p, "C:\\Users\\u\\AppData\\Local\\Temp\\mxc-run", Access::Write);
        add_path(p, "C:\\Users\\u\\.ssh", Access::Deny);
        p.limits.processes = policy::Sourced<std::uint64_t>{512, {}};
        p.limits.memory_bytes = policy::Sourced<std::uint64_t>{4ULL << 30, {}};
        rows.push_back(
            {"default", p, facts(),
             "ac caps=1 desk=shared job=2608 ui=FF -1301BF:.ssh +1301BF:mxc-run +1301BF:proj wfp=0p/4b "
             "unenforceable=0"});
    }
    {  // coding agent: allowlist through the proxy (so a restricted token) + one database CIDR, .git
       // read-only
        auto p = base_policy("coding-agent");
        p.network.mode.value = policy::NetMode::Allowlist;
        p.network.allow = {policy::host_rule_entry("github.com"), policy::host_rule_entry("10.0.0.0/8:5432")};
        add_path(p, "C:\\work\\proj", Access::Write);
        add_path(p, "C:\\work\\proj\\.git", Access::Read);
        auto f = facts();
        f.proxy_port = 40000;
        rows.push_back(
            {"coding-agent", p, f,
             "rt restricting=5 denyonly=5 desk=shared job=2400 ui=FF +1301BF:proj +1200A9:.git -10156:.git "
             "wfp=2p/14b "
             "unenforceable=0"});
    }
    {  // host network, clipboard allowed
        auto p = base_policy("host");
        p.network.mode.value = policy::NetMode::Host;
        p.windows.clipboard.value = true;
        rows.push_back({"host", p, facts(), "ac caps=4 desk=shared job=2400 ui=F9 wfp=off unenforceable=0"});
    }
    {  // restricted token on a private desktop with every limit
        auto p = base_policy("locked");
        p.windows.isolation.value = policy::WindowsIsolation::RestrictedToken;
        p.windows.desktop.value = policy::WindowsDesktop::Private;
        p.limits.processes = policy::Sourced<std::uint64_t>{1, {}};
        p.limits.cpu_time = policy::Sourced<std::chrono::milliseconds>{std::chrono::milliseconds(60000), {}};
        p.limits.open_files = policy::Sourced<std::uint64_t>{1024, {}};
        add_path(p, "C:\\tools", Access::Read);
        rows.push_back({"locked", p, facts(),
                        "rt restricting=4 denyonly=5 desk=private job=240A ui=FF +1200A9:tools wfp=0p/4b "
                        "unenforceable=1"});
    }
    {  // wine-like host: no AppContainer, no WFP
        auto p = base_policy("wine");
        auto f = facts();
        f.appcontainer_supported = false;
        f.wfp_available = false;
        f.wfp_error = 1764;
        rows.push_back({"wine", p, f,
                        "rt restricting=5 denyonly=5 desk=shared job=2400 ui=FF wfp=0p/4b unenforceable=2"});
    }

    for (const auto& row : rows) {
        CAPTURE(row.name);
        CHECK(summary(compile_windows_plan(row.policy, row.facts)) == row.expected);
    }
}

TEST_CASE("describe() prints one line per ACE, filter and verdict") {
    auto p = base_policy();
    add_path(p, "C:\\work\\proj", Access::Write);
    auto text = describe(compile_windows_plan(p, facts()));
    CHECK(text.find("isolation: appcontainer mxc.") != std::string::npos);
    CHECK(text.find("ace: allow 0x001301BF inherit=3 label=low \\\\?\\C:\\work\\proj\n") !=
          std::string::npos);
    CHECK(text.find(
              "filter: ALE_AUTH_CONNECT_V4 block w=0 [default block connect v4] ALE_PACKAGE_ID == mxc.") !=
          std::string::npos);
    CHECK(text.find("enforced: filesystem.write C:\\work\\proj (C:\\profiles\\p.toml:20:1): allow ACE") !=
          std::string::npos);
}
