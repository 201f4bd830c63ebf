// The managed policy (issue 15, docs/managed.md): its loader, the ceilings
// and denies it applies as the last layer, and the trust decisions.
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "policy/managed.hpp"
#include "policy/managed_trust.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::context;
using mxc::policy::testing::rule_for;

namespace {

const char* const kManaged = R"(schema = 1
[policy]
best_effort = "forbidden"
[filesystem]
deny = ["{home}/.ssh", "{workspace}/secrets"]
[network]
allow = ["*.github.com", "github.com", "pypi.org:443"]
deny = ["169.254.169.254"]
[env]
deny = ["AWS_*"]
[limits]
memory = "8GiB"
processes = 512
[audit]
sink = "journald"
)";

std::shared_ptr<const ManagedPolicy> managed(std::string_view text = kManaged) {
    auto loaded = load_managed_text(text, "/etc/mxc/managed.toml");
    REQUIRE_MESSAGE(loaded.policy.has_value(),
                    (loaded.diagnostics.empty() ? "" : loaded.diagnostics.front().to_string()));
    return std::make_shared<ManagedPolicy>(std::move(*loaded.policy));
}

mxc::Result<ResolvedPolicy> load_with(std::string_view profile, std::shared_ptr<const ManagedPolicy> m,
                                      const CliOverrides& cli = {}) {
    ResolveContext ctx = context();
    ctx.managed = std::move(m);
    return load_policy_text(profile, "/profiles/test.toml", cli, ctx);
}

std::string first_managed_error(std::string_view text) {
    auto loaded = load_managed_text(text, "/etc/mxc/managed.toml");
    return loaded.diagnostics.empty() ? "(no error)" : loaded.diagnostics.front().to_string();
}

const ManagedChange* change_for(const ResolvedPolicy& p, std::string_view rule) {
    for (const auto& c : p.managed->changes)
        if (c.rule == rule) return &c;
    return nullptr;
}

}  // namespace

TEST_CASE("host_rule_inside: a rule is inside when every host and port it matches is allowed") {
    CHECK(host_rule_inside("api.github.com", {"*.github.com"}));
    CHECK(host_rule_inside("*.github.com", {"*.github.com"}));
    CHECK(host_rule_inside("*.api.github.com", {"*.github.com"}));
    CHECK(host_rule_inside("github.com", {"github.com"}));
    CHECK_FALSE(host_rule_inside("github.com", {"*.github.com"}));  // a wildcard is subdomains only
    CHECK_FALSE(host_rule_inside("*.github.com", {"github.com"}));
    CHECK_FALSE(host_rule_inside("evilgithub.com", {"*.github.com"}));
    // Ports: a port-less rule means 80 and 443.
    CHECK_FALSE(host_rule_inside("pypi.org", {"pypi.org:443"}));
    CHECK(host_rule_inside("pypi.org:443", {"pypi.org"}));
    CHECK(host_rule_inside("pypi.org", {"pypi.org:80", "pypi.org:443"}));
    CHECK_FALSE(host_rule_inside("pypi.org:*", {"pypi.org"}));
    CHECK(host_rule_inside("pypi.org:8443", {"pypi.org:*"}));
    // Addresses: a network inside a wider one.
    CHECK(host_rule_inside("10.1.2.3", {"10.0.0.0/8"}));
    CHECK(host_rule_inside("10.1.0.0/16", {"10.0.0.0/8"}));
    CHECK_FALSE(host_rule_inside("10.0.0.0/7", {"10.0.0.0/8"}));
    CHECK_FALSE(host_rule_inside("10.1.2.3", {"github.com"}));
    CHECK_FALSE(host_rule_inside("github.com", {}));
}

TEST_CASE("managed loader: unknown keys, broken TOML and bad values are errors with file:line:col") {
    CHECK(first_managed_error("schema = 1\n[network]\nalow = []\n") ==
          "managed:/etc/mxc/managed.toml:3:1: error: unknown key \"alow\" in [network] of the managed policy "
          "(allowed: max_mode, allow, deny)");
    CHECK(first_managed_error("schema = 1\n[filesystem\n").rfind("managed:/etc/mxc/managed.toml:2:", 0) == 0);
    CHECK(first_managed_error("schema = 1\n[network]\nmax_mode = \"host\"\n")
              .find(":3:12: error: invalid "
                    "[network].max_mode \"host\"") != std::string::npos);
    CHECK(first_managed_error("schema = 1\n[filesystem]\ndeny = [\"relative/x\"]\n")
              .rfind("managed:/etc/mxc/managed.toml:3:9: error: [filesystem].deny", 0) == 0);
    CHECK(first_managed_error("schema = 1\n[network]\nallow = [\"*\"]\n")
              .find(":3:10: error: [network].allow") != std::string::npos);
    CHECK(first_managed_error("schema = 1\n[policy]\nprofiles = [\"sha256:abc\"]\n")
              .find("invalid [policy].profiles entry") != std::string::npos);
    CHECK(first_managed_error("schema = 1\n[audit]\nsink = \"file\"\n").find("needs a path") !=
          std::string::npos);
    CHECK(first_managed_error("schema = 1\n[limits]\nmemory = \"unlimited\"\n")
              .find("cannot be \"unlimited\"") != std::string::npos);
    CHECK(first_managed_error("[policy]\nbest_effort = \"forbidden\"\n").find("missing \"schema\"") !=
          std::string::npos);
    CHECK(first_managed_error(kManaged) == "(no error)");
}

TEST_CASE("managed ceiling: a profile allow rule outside it is refused, naming both origins") {
    auto r =
        load_with("schema = 1\n[network]\nmode = \"allowlist\"\nallow = [\"api.github.com\", \"evil.com\"]\n",
                  managed());
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "/profiles/test.toml:4:28: error: [network].allow \"evil.com\" is outside the managed ceiling "
          "(managed:/etc/mxc/managed.toml:7:1) (the managed policy allows only: *.github.com, github.com, "
          "pypi.org:443)");
}

TEST_CASE("managed ceiling: --allow-net cannot widen past it, a rule inside passes") {
    CliOverrides cli;
    cli.allow_net = {"example.com"};
    auto r = load_with("schema = 1\n", managed(), cli);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.rfind(
              "flag --allow-net: error: [network].allow \"example.com\" is outside the managed "
              "ceiling (managed:/etc/mxc/managed.toml:7:1)",
              0) == 0);
    cli.allow_net = {"api.github.com", "pypi.org:443"};
    auto ok = load_with("schema = 1\n", managed(), cli);
    REQUIRE(ok);
    CHECK(ok->network.mode.value == NetMode::Allowlist);
    // The managed deny is in the policy: deny beats allow in the matcher.
    REQUIRE(ok->network.deny.size() == 1);
    CHECK(ok->network.deny[0].origin.describe() == "managed:/etc/mxc/managed.toml:8:9");
}

TEST_CASE("managed: host mode is above an allow ceiling, max_mode none refuses allowlist") {
    auto r = load_with("schema = 1\n[network]\nmode = \"host\"\n", managed());
    REQUIRE_FALSE(r);
    CHECK(
        r.error().message.find("/profiles/test.toml:3:8: error: [network].mode \"host\" is above the managed "
                               "maximum \"allowlist\" (managed:/etc/mxc/managed.toml:7:1)") == 0);
    auto none = managed("schema = 1\n[network]\nmax_mode = \"none\"\n");
    CHECK_FALSE(load_with("schema = 1\n[network]\nmode = \"allowlist\"\nallow = [\"github.com\"]\n", none));
    CHECK(load_with("schema = 1\n", none));
    CliOverrides host;
    host.net_mode = "host";
    auto flag = load_with("schema = 1\n", managed(), host);
    REQUIRE_FALSE(flag);
    CHECK(flag.error().message.rfind(
              "flag --net: error: [network].mode \"host\" is above the managed maximum", 0) == 0);
    // Mode "none" uses no allow rule: the ceiling has nothing to refuse.
    CHECK(load_with("schema = 1\n[network]\nmode = \"none\"\nallow = [\"evil.com\"]\n", managed()));
}

TEST_CASE("managed: best effort forbidden refuses the profile key and the flag") {
    auto r = load_with("schema = 1\nbest_effort = true\n", managed());
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "/profiles/test.toml:2:15: error: best effort is forbidden by the managed policy "
          "(managed:/etc/mxc/managed.toml:3:15) (remove best_effort = true / --best-effort: rules this host "
          "cannot enforce then refuse the run)");
    CliOverrides cli;
    cli.best_effort = true;
    auto f = load_with("schema = 1\n", managed(), cli);
    REQUIRE_FALSE(f);
    CHECK(f.error().message.rfind("flag --best-effort: error: best effort is forbidden", 0) == 0);
}

TEST_CASE("managed deny wins over a profile write on the same path and over writes below it") {
    CliOverrides cli;
    cli.allow_write = {"/home/alice/.ssh/config"};
    auto r =
        load_with("schema = 1\n[filesystem]\nwrite = [\"{home}/.ssh\", \"{workspace}\"]\n", managed(), cli);
    REQUIRE(r);
    const PathRule* ssh = rule_for(*r, "/home/alice/.ssh");
    REQUIRE(ssh != nullptr);
    CHECK(ssh->access == Access::Deny);
    CHECK(ssh->origin.describe() == "managed:/etc/mxc/managed.toml:5:9");
    CHECK(rule_for(*r, "/home/alice/.ssh/config") == nullptr);  // the flag's write is gone
    CHECK(rule_for(*r, "/work/project")->access == Access::Write);
    CHECK(rule_for(*r, "/work/project/secrets")->access == Access::Deny);
    const ManagedChange* c = change_for(*r, "filesystem.write /home/alice/.ssh");
    REQUIRE(c != nullptr);
    CHECK(c->action == "removed");
    CHECK(c->origin.describe() == "/profiles/test.toml:3:10");
    CHECK(c->by.describe() == "managed:/etc/mxc/managed.toml:5:9");
    REQUIRE(change_for(*r, "filesystem.write /home/alice/.ssh/config") != nullptr);
    CHECK(change_for(*r, "filesystem.write /home/alice/.ssh/config")->origin.describe() ==
          "flag --allow-write");
}

TEST_CASE("managed limits: a higher value is capped, an unset one gets the maximum, a lower one stays") {
    auto r = load_with("schema = 1\n[limits]\nmemory = \"16GiB\"\nprocesses = 100\n", managed());
    REQUIRE(r);
    CHECK(r->limits.memory_bytes->value == 8ull << 30);
    CHECK(r->limits.memory_bytes->origin.describe() == "managed:/etc/mxc/managed.toml:12:10");
    CHECK(r->limits.processes->value == 100);
    const ManagedChange* c = change_for(*r, "limits.memory 16GiB");
    REQUIRE(c != nullptr);
    CHECK(c->action == "capped to 8GiB");
    CHECK(c->origin.describe() == "/profiles/test.toml:3:10");
    CliOverrides cli;
    cli.memory = "unlimited";
    auto u = load_with("schema = 1\n[limits]\nmemory = \"1GiB\"\n", managed(), cli);
    REQUIRE(u);
    CHECK(u->limits.memory_bytes->value == 8ull << 30);
    REQUIRE(change_for(*u, "limits.memory unlimited") != nullptr);
    CHECK(change_for(*u, "limits.memory unlimited")->action == "set to 8GiB");
}

TEST_CASE("managed env deny applies and removes explicit values, audit reaches managed_audit") {
    auto r = load_with(
        "schema = 1\n[env]\npass = [\"AWS_PROFILE\"]\nset = { AWS_REGION = \"x\", A = \"b\" }\n", managed());
    REQUIRE(r);
    CHECK(r->env.set.count("AWS_REGION") == 0);
    CHECK(r->env.set.count("A") == 1);
    REQUIRE_FALSE(r->env.deny.empty());
    CHECK(r->env.deny.back().value == "AWS_*");
    REQUIRE(r->managed_audit);
    CHECK(r->managed_audit->sink.value == AuditSink::Journald);
    CHECK(r->managed_audit->sink.origin.describe() == "managed:/etc/mxc/managed.toml:15:8");
    REQUIRE(r->managed);
    CHECK(r->managed->path == "/etc/mxc/managed.toml");
}

TEST_CASE("managed profile list: built-in names and sha256 of the chain") {
    auto by_name = managed("schema = 1\n[policy]\nprofiles = [\"default\"]\n");
    ResolveContext ctx = context();
    ctx.managed = by_name;
    CHECK(load_policy("default", {}, ctx));
    auto refused = load_policy("coding-agent", {}, ctx);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.rfind("builtin:coding-agent: error: profile builtin:coding-agent (sha256:",
                                        0) == 0);
    CHECK(refused.error().message.find(
              "is not in the managed policy's profiles (managed:/etc/mxc/managed.toml:3:13)") !=
          std::string::npos);
    // A file is allowed by the hash `mxc explain` shows.
    auto plain = load_with("schema = 1\n", nullptr);
    REQUIRE(plain);
    CHECK_FALSE(load_with("schema = 1\n", by_name));
    auto by_hash = managed("schema = 1\n[policy]\nprofiles = [\"sha256:" + chain_sha256(*plain) + "\"]\n");
    CHECK(load_with("schema = 1\n", by_hash));
    CHECK_FALSE(load_with("schema = 1\nname = \"changed\"\n", by_hash));
}

TEST_CASE("posix trust: root-owned, not group or other writable, no symlink, sticky root dirs pass") {
    CHECK_FALSE(posix_trust_problem({0, 0040755}, false));
    CHECK_FALSE(posix_trust_problem({0, 0100644}, true));
    CHECK_FALSE(posix_trust_problem({0, 0041777}, false));  // /tmp
    CHECK(*posix_trust_problem({0, 0040777}, false) == "is writable by group or others (mode 0777)");
    CHECK(*posix_trust_problem({0, 0100664}, true) == "is writable by group or others (mode 0664)");
    CHECK(*posix_trust_problem({0, 0101666}, true) == "is writable by group or others (mode 1666)");
    CHECK(*posix_trust_problem({1000, 0100644}, true) == "is owned by uid 1000, not root");
    CHECK(*posix_trust_problem({1000, 0041777}, false) == "is owned by uid 1000, not root");
    CHECK(*posix_trust_problem({0, 0120777}, true) == "is a symbolic link");
    CHECK(*posix_trust_problem({0, 0120777}, false) == "is a symbolic link");
    CHECK(*posix_trust_problem({0, 0010644}, true) == "is not a regular file");  // a FIFO
}

TEST_CASE("windows trust: fake security descriptors") {
    const std::string admins = "S-1-5-32-544";
    const std::string system = "S-1-5-18";
    const std::string users = "S-1-5-32-545";
    const std::string alice = "S-1-5-21-1-2-3-1001";
    // The usual ACL of a file an administrator created under ProgramData.
    SecurityDescriptorModel file{
        admins, true, {{system, true, 0x1f01ff}, {admins, true, 0x1f01ff}, {users, true, 0x1200a9}}};
    CHECK_FALSE(windows_trust_problem(file, false));
    // Owned by a user.
    SecurityDescriptorModel owned = file;
    owned.owner_sid = alice;
    CHECK(*windows_trust_problem(owned, false) ==
          "is owned by S-1-5-21-1-2-3-1001, not Administrators or SYSTEM");
    // Users may write it (modify).
    SecurityDescriptorModel writable = file;
    writable.aces.push_back({users, true, 0x1301bf});
    CHECK(*windows_trust_problem(writable, false) == "grants write access (0x001301bf) to S-1-5-32-545");
    // Generic write for a single user; a NULL DACL.
    SecurityDescriptorModel generic = file;
    generic.aces.push_back({alice, true, 0x40000000});
    CHECK(windows_trust_problem(generic, false).has_value());
    SecurityDescriptorModel null_dacl{admins, false, {}};
    CHECK(*windows_trust_problem(null_dacl, false) == "has no DACL (everyone may write it)");
    // Inherit-only and deny entries do not apply to the object itself.
    SecurityDescriptorModel inherit = file;
    inherit.aces.push_back({"S-1-3-0", true, 0x1f01ff, true});
    inherit.aces.push_back({users, false, 0x1f01ff});
    CHECK_FALSE(windows_trust_problem(inherit, false));
    // ProgramData: Users may create entries (like a sticky /tmp), not delete or re-permission.
    SecurityDescriptorModel program_data{
        system, true, {{system, true, 0x1f01ff}, {users, true, 0x6 | 0x1200a9}}};
    CHECK_FALSE(windows_trust_problem(program_data, true));
    CHECK(windows_trust_problem(program_data, false).has_value());
    program_data.aces.push_back({users, true, 0x40});  // FILE_DELETE_CHILD
    CHECK(windows_trust_problem(program_data, true).has_value());
    SecurityDescriptorModel dac{admins, true, {{alice, true, 0x40000}}};  // WRITE_DAC
    CHECK(windows_trust_problem(dac, true).has_value());
}

TEST_CASE("the packaged example managed policy loads and coding-agent runs under it, capped") {
    std::ifstream in(std::string(MXC_TEST_DATA_DIR) + "/../../packaging/examples/managed.toml");
    std::stringstream text;
    text << in.rdbuf();
    REQUIRE_FALSE(text.str().empty());
    ResolveContext ctx = context();
    ctx.managed = managed(text.str());
    auto r = load_policy("coding-agent", {}, ctx);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    REQUIRE(r->managed);
    REQUIRE(r->managed->changes.size() == 2);
    CHECK(r->managed->changes[0].action == "capped to 4GiB");
    CHECK(r->managed->changes[1].action == "capped to 2h");
    CHECK(rule_for(*r, "/home/alice/Documents")->access == Access::Deny);
    CHECK(load_policy("default", {}, ctx).ok());
}

TEST_CASE("a managed deny on a path the profile denies too is named by its managed origin") {
    auto r = load_with("schema = 1\n[filesystem]\ndeny = [\"{home}/.ssh\"]\n", managed());
    REQUIRE(r);
    CHECK(rule_for(*r, "/home/alice/.ssh")->origin.describe() == "managed:/etc/mxc/managed.toml:5:9");
    for (const auto& c : r->managed->changes) CHECK(c.rule.rfind("filesystem.", 0) != 0);  // nothing removed
}
