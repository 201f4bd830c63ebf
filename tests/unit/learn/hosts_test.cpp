#include <doctest/doctest.h>

#include "learn/host_suggest.hpp"
#include "learn/toml_writer.hpp"
#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

namespace {
NetObservation host(std::string h, std::uint16_t port, std::string proto = "connect",
                    std::string program = "") {
    return NetObservation{std::move(h), port, std::move(proto), false, std::move(program)};
}
}  // namespace

TEST_CASE("host rules follow mxc log's form: 80 and 443 fold into the host, other ports stay") {
    CHECK(host_rule_for("example.com", 443) == "example.com");
    CHECK(host_rule_for("example.com", 80) == "example.com");
    CHECK(host_rule_for("example.com", 8443) == "example.com:8443");
    CHECK(host_rule_for("::1", 8080) == "[::1]:8080");
    CHECK(host_rule_for("2001:db8::1", 443) == "[2001:db8::1]");
}

TEST_CASE("destinations become one allow rule each, names normalised, most used first") {
    std::vector<PathRefusal> skipped;
    auto hosts = suggest_hosts({host("PyPI.org.", 443, "connect", "/usr/bin/pip"), host("pypi.org", 443),
                                host("db.internal", 5432), host("files.pythonhosted.org", 0, "dns")},
                               nullptr, skipped);
    REQUIRE(hosts.size() == 3);
    CHECK(hosts[0].rule == "pypi.org");
    CHECK(hosts[0].count == 2);
    CHECK(hosts[0].programs == std::vector<std::string>{"pip"});
    CHECK(hosts[1].rule == "db.internal:5432");
    CHECK(hosts[2].rule == "files.pythonhosted.org");
    CHECK(skipped.empty());
}

TEST_CASE("loopback and metadata addresses are only proposed commented out") {
    std::vector<PathRefusal> skipped;
    auto hosts = suggest_hosts({host("169.254.169.254", 80), host("example.org", 443)}, nullptr, skipped);
    REQUIRE(hosts.size() == 2);
    const std::string text = network_table(hosts, "");
    CHECK(contains(text, "  # \"169.254.169.254\","));
    CHECK(contains(text, "\n  \"example.org\","));
}

TEST_CASE("what the base already allows is not proposed, what it denies is reported") {
    auto coding = base("coding-agent");
    std::vector<PathRefusal> skipped;
    auto hosts =
        suggest_hosts({host("github.com", 443), host("gist.github.com", 443), host("example.org", 443)},
                      &coding.network, skipped);
    REQUIRE(hosts.size() == 1);
    CHECK(hosts[0].rule == "example.org");
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].path == "gist.github.com");
    CHECK(contains(skipped[0].why, "[network].deny"));
}

TEST_CASE("unix sockets and invalid names are not learned as allow rules") {
    std::vector<PathRefusal> skipped;
    auto hosts = suggest_hosts({host("/run/x.sock", 0, "unix"), host("bad host\x1b", 443)}, nullptr, skipped);
    CHECK(hosts.empty());
    CHECK(skipped.size() == 2);
    CHECK_FALSE(contains(skipped[1].path, "\x1b"));
}

TEST_CASE("a profile with learned hosts switches the base's mode none to an allowlist") {
    Learned l{base()};
    l.obs.hosts = {host("registry.npmjs.org", 443, "connect", "/usr/bin/node")};
    auto s = l.run();
    auto text = write_profile(s, {"default", "npm install", ""});
    REQUIRE(text.ok());
    CHECK(check_profile_text_ok(*text));
    CHECK(contains(*text, "mode = \"allowlist\""));
    CHECK(contains(*text, "\"registry.npmjs.org\",  # node; refused while learning"));
}

TEST_CASE("no [network] table when nothing was reached") {
    Learned l{base()};
    auto text = write_profile(l.run(), {"default", "true", ""});
    REQUIRE(text.ok());
    CHECK_FALSE(contains(*text, "[network]"));
    CHECK(check_profile_text_ok(*text));
}
