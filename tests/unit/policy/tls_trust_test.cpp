// TLS trust variables: passed by default, and the file each one names gets a
// read rule unless a rule already decides that path.
#include <doctest/doctest.h>

#include <algorithm>

#include "policy/tls_trust.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using namespace mxc::policy::testing;

namespace {

mxc::Result<ResolvedPolicy> load_with(std::string_view toml, std::map<std::string, std::string> tls) {
    ResolveContext ctx = context();
    ctx.tls_trust_env = std::move(tls);
    return load_policy_text(toml, "/profiles/test.toml", {}, ctx);
}

constexpr std::string_view kExtendsDefault = "schema = 1\nextends = [\"default\"]\n";

}  // namespace

TEST_CASE("every TLS trust variable is passed by the default profile") {
    auto p = load_with(kExtendsDefault, {});
    REQUIRE(p);
    for (std::string_view name : kTlsTrustVariables) {
        const bool passed = std::any_of(p->env.pass.begin(), p->env.pass.end(),
                                        [&](const auto& g) { return g.value == name; });
        CHECK_MESSAGE(passed, name);
    }
}

TEST_CASE("a TLS trust file outside every rule gets a read rule with its variable as origin") {
    auto p = load_with(kExtendsDefault,
                       {{"SSL_CERT_FILE", "/srv/corp//ca.pem"}, {"NODE_EXTRA_CA_CERTS", "/srv/node-ca.pem"}});
    REQUIRE(p);
    const PathRule* r = rule_for(*p, "/srv/corp/ca.pem");
    REQUIRE(r != nullptr);
    CHECK(r->access == Access::Read);
    CHECK(r->origin.describe() == "[env] SSL_CERT_FILE (TLS trust)");
    CHECK(rule_for(*p, "/srv/node-ca.pem") != nullptr);
}

TEST_CASE("a TLS trust path inside a deny rule stays denied") {
    auto p = load_with(kExtendsDefault,
                       {{"SSL_CERT_FILE", "/home/alice/.ssh/ca.pem"}, {"SSL_CERT_DIR", "/etc/ssl/private"}});
    REQUIRE(p);
    CHECK(rule_for(*p, "/home/alice/.ssh/ca.pem") == nullptr);
    CHECK(rule_for(*p, "/etc/ssl/private")->access == Access::Deny);
}

TEST_CASE("a TLS trust path already covered by a rule adds nothing") {
    auto p = load_with(kExtendsDefault, {{"SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"},
                                         {"CURL_CA_BUNDLE", "/work/project/ca.pem"}});
    REQUIRE(p);
    CHECK(rule_for(*p, "/etc/ssl/certs/ca-certificates.crt") == nullptr);
    CHECK(rule_for(*p, "/work/project/ca.pem") == nullptr);
}

TEST_CASE("a TLS trust setting never opens the root or the home directory") {
    auto p = load_with(kExtendsDefault,
                       {{"SSL_CERT_DIR", "/"}, {"SSL_CERT_FILE", "/home/alice"}, {"PIP_CERT", "/home"}});
    REQUIRE(p);
    CHECK(rule_for(*p, "/") == nullptr);
    CHECK(rule_for(*p, "/home/alice") == nullptr);
    CHECK(rule_for(*p, "/home") == nullptr);
}

TEST_CASE("a TLS trust variable the profile does not pass, or sets itself, adds no rule") {
    auto denied = load_with("schema = 1\nextends = [\"default\"]\n[env]\ndeny = [\"SSL_*\"]\n",
                            {{"SSL_CERT_FILE", "/srv/ca.pem"}});
    REQUIRE(denied);
    CHECK(rule_for(*denied, "/srv/ca.pem") == nullptr);

    auto set = load_with("schema = 1\nextends = [\"default\"]\n[env]\nset = { SSL_CERT_FILE = \"/x\" }\n",
                         {{"SSL_CERT_FILE", "/srv/ca.pem"}});
    REQUIRE(set);
    CHECK(rule_for(*set, "/srv/ca.pem") == nullptr);

    auto bare = load_with("schema = 1\n", {{"SSL_CERT_FILE", "/srv/ca.pem"}});
    REQUIRE(bare);
    CHECK(rule_for(*bare, "/srv/ca.pem") == nullptr);
}
