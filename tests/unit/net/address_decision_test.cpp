// The broker's decision on an address (issue 11): the names the DNS stub gave
// out for it, then the address itself, through the proxy's own matcher.
#include <doctest/doctest.h>

#include "net/address_decision.hpp"
#include "net/name_memory.hpp"

using namespace mxc::net;

namespace {

IpAddr v4(std::uint32_t a) {
    return IpAddr::from_v4(a);
}

Matcher rules(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
    auto m = Matcher::from_strings(allow, deny);
    REQUIRE(m);
    return std::move(m).value();
}

}  // namespace

TEST_CASE("NameMemory returns the names given out for an address, most recent first") {
    NameMemory memory;
    memory.remember("a.example", {v4(0x5db8d822), v4(0x5db8d823)});
    memory.remember("b.example", {v4(0x5db8d822)});
    CHECK(memory.names_for(v4(0x5db8d822)) == std::vector<std::string>{"b.example", "a.example"});
    CHECK(memory.names_for(v4(0x5db8d823)) == std::vector<std::string>{"a.example"});
    CHECK(memory.names_for(v4(0x01020304)).empty());
    memory.remember("a.example", {v4(0x5db8d822)});  // again: most recent now
    CHECK(memory.names_for(v4(0x5db8d822)).front() == "a.example");
}

TEST_CASE("NameMemory is bounded: the sandbox chooses how many names it looks up") {
    NameMemory memory;
    for (std::size_t i = 0; i < NameMemory::kMaxEntries + 100; ++i)
        memory.remember("n" + std::to_string(i) + ".example",
                        {v4(0x0a000000U + static_cast<std::uint32_t>(i))});
    CHECK(memory.names_for(v4(0x0a000000U)).empty());  // the oldest are forgotten
    CHECK(memory.names_for(v4(0x0a000000U + NameMemory::kMaxEntries + 99)).size() == 1);
    for (int i = 0; i < 100; ++i) memory.remember("m" + std::to_string(i) + ".example", {v4(0x0b000001)});
    CHECK(memory.names_for(v4(0x0b000001)).size() == NameMemory::kMaxNamesPerAddress);
}

TEST_CASE("an address the stub gave out for an allowed name is allowed on that name's ports only") {
    const Matcher m = rules({"api.example.com:443"});
    const IpAddr addr = v4(0x5db8d822);
    auto ok = decide_address(m, {"api.example.com"}, addr, 443, {});
    CHECK(ok.decision.allowed);
    CHECK(ok.host == "api.example.com");
    CHECK(ok.decision.rule == "api.example.com:443");
    auto other_port = decide_address(m, {"api.example.com"}, addr, 22, {});
    CHECK_FALSE(other_port.decision.allowed);
    CHECK(other_port.host == "api.example.com");  // the name the user would add a rule for
    auto unknown = decide_address(m, {}, addr, 443, {});
    CHECK_FALSE(unknown.decision.allowed);
    CHECK(unknown.host == "93.184.216.34");
}

TEST_CASE("any remembered name that is allowed decides but a deny rule on the address wins") {
    const Matcher m = rules({"*.cdn.example"}, {"93.184.216.0/24"});
    auto d = decide_address(m, {"bad.example", "x.cdn.example"}, v4(0x5db8d822), 443, {});
    CHECK_FALSE(d.decision.allowed);
    CHECK(d.decision.why == Decision::Why::DeniedByRule);
    const Matcher open = rules({"*.cdn.example"});
    auto e = decide_address(open, {"bad.example", "x.cdn.example"}, v4(0x5db8d822), 443, {});
    CHECK(e.decision.allowed);
    CHECK(e.host == "x.cdn.example");
}

TEST_CASE("loopback and this host's own addresses need an explicit IP rule, names never reach them") {
    const Matcher names_only = rules({"localhost:*", "own.example:*"});
    CHECK_FALSE(decide_address(names_only, {"localhost"}, v4(0x7f000001), 8080, {}).decision.allowed);
    const IpAddr own = v4(0x0a00020f);
    CHECK_FALSE(decide_address(names_only, {"own.example"}, own, 22, {own}).decision.allowed);
    const Matcher explicit_ip = rules({"127.0.0.1:8080", "10.0.2.15:22"});
    CHECK(decide_address(explicit_ip, {}, v4(0x7f000001), 8080, {}).decision.allowed);
    CHECK(decide_address(explicit_ip, {}, own, 22, {own}).decision.allowed);
    CHECK_FALSE(decide_address(explicit_ip, {}, own, 23, {own}).decision.allowed);
}
