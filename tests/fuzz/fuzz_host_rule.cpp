// libFuzzer target: host rule parsing, host normalisation, matching and the
// public suffix check.
// Invariants: nothing crashes; normalising a normalised host is a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/host_rule.hpp"
#include "net/matcher.hpp"
#include "net/public_suffix.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto rule = mxc::net::parse_host_rule(in);
    if (rule.ok()) {
        mxc::net::Matcher m({rule.value()}, {});
        (void)m.decide("example.com", 443);
        (void)m.decide("127.0.0.1", 80);
        (void)mxc::net::public_suffix_problem(rule.value());  // a wildcard's domain reaches libpsl
    }
    auto t = mxc::net::normalize_host(in);
    if (t.ok()) {
        std::string text = t->text();
        auto again = mxc::net::normalize_host(text);
        if (!again.ok() || again->text() != text || again->is_ip != t->is_ip) std::abort();
        mxc::net::Matcher m;
        auto maybe = mxc::net::Matcher::from_strings({"*.example.com", "10.0.0.0/8:*"}, {"bad.example.com"});
        if (maybe.ok()) {
            (void)maybe->decide(*t, 443);
            (void)maybe->check_address(*t, mxc::net::IpAddr::from_v4(0x7f000001), 443, {});
            // The same address as one of this host's: refused unless an IP rule covers it.
            (void)maybe->check_address(*t, mxc::net::IpAddr::from_v4(0x0a000001), 443,
                                       {mxc::net::IpAddr::from_v4(0x0a000001)});
        }
        (void)mxc::net::suggest_rule(*t, 443);
    }
    return 0;
}
