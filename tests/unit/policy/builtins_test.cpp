#include <doctest/doctest.h>

#include <algorithm>

#include "net/public_suffix.hpp"
#include "policy/builtins.hpp"
#include "policy/resolve.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::context;
using mxc::policy::testing::rule_for;

namespace {

ResolvedPolicy builtin(const std::string& name) {
    auto r = load_policy(name, {}, context());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return std::move(r).value();
}

template <class Entry>
bool has(const std::vector<Entry>& list, std::string_view value) {
    return std::any_of(list.begin(), list.end(), [&](const auto& s) { return s.value == value; });
}

}  // namespace

TEST_CASE("the built-in profiles are listed sorted by name, each with a description") {
    const auto& all = builtin_profiles();
    std::vector<std::string> names;
    for (const auto& p : all) {
        names.push_back(p.name);
        CHECK_MESSAGE(!p.description.empty(), p.name);
        CHECK(!p.toml.empty());
    }
    CHECK(names == std::vector<std::string>{"build", "coding-agent", "default", "offline-build", "readonly"});
}

TEST_CASE("every built-in profile passes check") {
    for (const auto& p : builtin_profiles()) {
        CAPTURE(p.name);
        auto diagnostics = check_profile(p.name);
        for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
    }
}

// The loader skips this check for built-in profiles (validate.cpp): this is
// where their wildcards meet the Public Suffix List.
TEST_CASE("no built-in profile allows a whole public suffix") {
    std::size_t wildcards = 0;
    for (const auto& p : builtin_profiles()) {
        CAPTURE(p.name);
        for (const auto& entry : builtin(p.name).network.allow) {
            CAPTURE(entry.value);
            REQUIRE(entry.parsed.has_value());
            if (entry.parsed->kind == mxc::net::HostRule::Kind::Wildcard) ++wildcards;
            CHECK_FALSE(mxc::net::public_suffix_problem(*entry.parsed).has_value());
        }
    }
    CHECK(wildcards > 0);  // coding-agent's *.githubusercontent.com at least
}

TEST_CASE("a built-in is named builtin:<name> in its origins and chain") {
    auto p = builtin("coding-agent");
    CHECK(p.source == "builtin:coding-agent");
    CHECK(p.chain == std::vector<std::string>{"builtin:default", "builtin:coding-agent"});
    CHECK(p.name == "coding-agent");
    CHECK(rule_for(p, "/usr")->origin.file == "builtin:default");
    CHECK(p.profile_dir.empty());
}

TEST_CASE("default: system read-only, workspace and tmp writable, secrets denied, no network") {
    auto p = builtin("default");
    CHECK(rule_for(p, "/usr")->access == Access::Read);
    CHECK(rule_for(p, "/etc")->access == Access::Read);
    CHECK(rule_for(p, "/work/project")->access == Access::Write);
    CHECK(rule_for(p, "/tmp/mxc-run")->access == Access::Write);
    for (const char* secret :
         {"/home/alice/.ssh", "/home/alice/.aws", "/home/alice/.gnupg", "/home/alice/.config/gh",
          "/home/alice/.netrc", "/home/alice/.docker", "/home/alice/.kube", "/home/alice/.npmrc",
          "/home/alice/.git-credentials", "/home/alice/.pypirc", "/home/alice/.config/git/credentials",
          "/home/alice/.cache/git/credential", "/home/alice/.config/containers/auth.json",
          "/home/alice/.vault-token", "/home/alice/.pgpass", "/home/alice/.config/rclone/rclone.conf"}) {
        CAPTURE(secret);
        REQUIRE(rule_for(p, secret) != nullptr);
        CHECK(rule_for(p, secret)->access == Access::Deny);
    }
    // ~/.config/git stays readable (the user's identity and aliases), only
    // its credential store is hidden.
    CHECK(rule_for(p, "/home/alice/.config/git")->access == Access::Read);
    CHECK(p.network.mode.value == NetMode::None);
    CHECK(p.missing.value == MissingPaths::Ignore);
    CHECK(has(p.env.pass, "PATH"));
    for (const char* name :
         {"LANG", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME",
          "LC_ADDRESS", "LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_NAME", "LC_PAPER", "LC_TELEPHONE"}) {
        CAPTURE(name);
        CHECK(has(p.env.pass, name));
    }
    // A glob would pass LC_MYTOKEN too.
    for (const auto& pass : p.env.pass) CHECK_MESSAGE(pass.value.find('*') == std::string::npos, pass.value);
    CHECK(has(p.env.deny, "*_TOKEN"));
    CHECK(has(p.env.deny, "AWS_*"));
    CHECK(p.limits.memory_bytes.has_value());
    CHECK(p.limits.processes.has_value());
}

TEST_CASE("default: the host's own secrets are denied, for root callers who could read them") {
    auto p = builtin("default");
    for (const char* secret :
         {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh/ssh_host_rsa_key",
          "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key", "/etc/ssl/private"}) {
        CAPTURE(secret);
        REQUIRE(rule_for(p, secret) != nullptr);
        CHECK(rule_for(p, secret)->access == Access::Deny);
    }
    CHECK(rule_for(p, "/etc/ssh/ssh_host_ed25519_key.pub") == nullptr);  // public keys stay readable
}

TEST_CASE("readonly: the workspace is readable but not writable") {
    auto p = builtin("readonly");
    CHECK(rule_for(p, "/work/project")->access == Access::Read);
    CHECK(rule_for(p, "/home/alice/.ssh")->access == Access::Deny);
}

TEST_CASE("coding-agent: workspace writable, caches writable, registries and model APIs reachable") {
    auto p = builtin("coding-agent");
    CHECK(rule_for(p, "/work/project")->access == Access::Write);
    CHECK(rule_for(p, "/home/alice/.cargo")->access == Access::Write);
    CHECK(rule_for(p, "/home/alice/.cargo/credentials")->access == Access::Deny);
    CHECK(rule_for(p, "/work/project/.git/hooks")->access == Access::Read);
    CHECK(p.network.mode.value == NetMode::Allowlist);
    for (const char* host :
         {"github.com", "*.githubusercontent.com", "registry.npmjs.org", "pypi.org", "files.pythonhosted.org",
          "crates.io", "static.crates.io", "proxy.golang.org", "api.anthropic.com", "api.openai.com"}) {
        CAPTURE(host);
        CHECK(has(p.network.allow, host));
    }
}

TEST_CASE("offline-build and build: toolchain caches, network only for build") {
    auto offline = builtin("offline-build");
    CHECK(offline.network.mode.value == NetMode::None);
    CHECK(rule_for(offline, "/home/alice/.rustup")->access == Access::Read);
    auto build = builtin("build");
    CHECK(build.network.mode.value == NetMode::Allowlist);
    CHECK(has(build.network.allow, "registry.npmjs.org"));
    CHECK(rule_for(build, "/home/alice/.cargo/registry")->access == Access::Write);
}

TEST_CASE("an unknown built-in name is refused with the list of built-ins") {
    auto diagnostics = check_profile("no-such-profile");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].to_string().find(
              "built-ins: build, coding-agent, default, offline-build, readonly") != std::string::npos);
}

TEST_CASE("without_comments drops comments and the blanks before them, keeping lines and columns") {
    CHECK(without_comments("# head\na = 1   # one\n\n  b = \"x # y\" # two\nc = 'p#q'\t# three\n") ==
          "\na = 1\n\n  b = \"x # y\"\nc = 'p#q'\n");
    CHECK(without_comments("d = \"say \\\"#\\\" here\" # c\r\ne = 2") == "d = \"say \\\"#\\\" here\"\ne = 2");
    const std::string multi = "m = \"\"\"\n# not a comment\n\"\"\"\n";
    CHECK(without_comments(multi) == multi);
}

TEST_CASE("a built-in parsed without comments resolves as its full text does, origins and hash included") {
    for (const auto& p : embedded_profiles()) {
        const std::string name(p.name);
        CAPTURE(name);
        const Resolution stripped = resolve(name, std::nullopt, {}, context());
        const Resolution full = resolve("builtin:" + name, p.text, {}, context());
        REQUIRE(stripped.diagnostics.empty());
        REQUIRE(full.diagnostics.empty());
        const ResolvedPolicy& a = *stripped.policy;
        const ResolvedPolicy& b = *full.policy;
        CHECK(mxc::policy::chain_sha256(a) == mxc::policy::chain_sha256(b));
        REQUIRE(a.paths.size() == b.paths.size());
        for (std::size_t i = 0; i < a.paths.size(); ++i) {
            CAPTURE(a.paths[i].path);
            CHECK(a.paths[i].path == b.paths[i].path);
            CHECK(a.paths[i].access == b.paths[i].access);
            CHECK(a.paths[i].origin.describe() == b.paths[i].origin.describe());
        }
        REQUIRE(a.network.allow.size() == b.network.allow.size());
        for (std::size_t i = 0; i < a.network.allow.size(); ++i) {
            CHECK(a.network.allow[i].value == b.network.allow[i].value);
            CHECK(a.network.allow[i].origin.describe() == b.network.allow[i].origin.describe());
        }
        REQUIRE(a.env.pass.size() == b.env.pass.size());
        for (std::size_t i = 0; i < a.env.pass.size(); ++i) {
            CHECK(a.env.pass[i].value == b.env.pass[i].value);
            CHECK(a.env.pass[i].origin.describe() == b.env.pass[i].origin.describe());
        }
    }
}
