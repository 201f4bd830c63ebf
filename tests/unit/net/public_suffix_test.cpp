#include <doctest/doctest.h>
#include <libpsl.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "net/idna.hpp"
#include "net/public_suffix.hpp"
#include "net/public_suffix_list.hpp"

using namespace mxc::net;

namespace {

HostRule rule(const char* text) {
    auto r = parse_host_rule(text);
    REQUIRE(r.ok());
    return std::move(r).value();
}

}  // namespace

TEST_CASE("ICANN public suffixes are recognised, from Debian's list") {
    for (const char* name : {"com", "org", "uk", "co.uk", "com.au", "xn--p1ai", "bar.ck"}) {
        CAPTURE(name);
        CHECK(is_icann_public_suffix(name));
    }
}

TEST_CASE("registrable names, private-section suffixes and unknown TLDs are not ICANN public suffixes") {
    // www.ck is the list's exception to *.ck; github.io and
    // githubusercontent.com are in the private section; "internal" is not
    // in the list at all (libpsl's implicit "*" rule must not apply).
    for (const char* name : {"example.com", "example.co.uk", "www.ck", "github.io", "githubusercontent.com",
                             "s3.amazonaws.com", "internal", "corp", "localhost", ""}) {
        CAPTURE(name);
        CHECK_FALSE(is_icann_public_suffix(name));
    }
}

TEST_CASE("only a wildcard rule can cover a public suffix") {
    auto problem = public_suffix_problem(rule("*.co.uk:443"));
    REQUIRE(problem.has_value());
    CHECK(
        *problem ==
        "host rule \"*.co.uk:443\" covers the public suffix \"co.uk\": every site anyone registers under it "
        "would be reachable");
    CHECK(public_suffix_problem(rule("*.\xd1\x80\xd1\x84")).has_value());  // "*.рф" is "*.xn--p1ai"
    CHECK_FALSE(public_suffix_problem(rule("com")).has_value());           // the one host "com"
    CHECK_FALSE(public_suffix_problem(rule("*.example.com")).has_value());
    CHECK_FALSE(public_suffix_problem(rule("*.githubusercontent.com")).has_value());
    CHECK_FALSE(public_suffix_problem(rule("10.0.0.0/8")).has_value());
}

TEST_CASE("the text-form list used by the Windows build agrees with libpsl on every ICANN rule") {
    // Both read the same file, so a difference is the parser's, not a newer list's.
    const char* path = "/usr/share/publicsuffix/public_suffix_list.dat";
    std::ifstream in(path);
    if (!in) {
        MESSAGE("skipped: ", path, " is missing (Debian package publicsuffix)");
        return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const PublicSuffixList list = PublicSuffixList::parse_icann(text);
    CHECK(list.rule_count() > 5000);

    std::unique_ptr<psl_ctx_t, void (*)(psl_ctx_t*)> psl(psl_load_file(path), psl_free);
    REQUIRE(psl != nullptr);
    // Every rule, its parent, a name under it, and a name two levels under.
    std::size_t compared = 0;
    std::istringstream lines(text.substr(text.find("===BEGIN ICANN DOMAINS===")));
    for (std::string line; std::getline(lines, line);) {
        if (line.find("===END ICANN DOMAINS===") != std::string::npos) break;
        if (line.empty() || line.rfind("//", 0) == 0) continue;
        std::string rule = line.substr(0, line.find_first_of(" \t\r"));
        if (rule.front() == '!') rule.erase(0, 1);
        if (rule.rfind("*.", 0) == 0) rule.erase(0, 2);
        auto ascii = idna_to_ascii(rule);
        REQUIRE_MESSAGE(ascii.ok(), rule);
        const std::string& r = *ascii;
        const std::string parent = r.find('.') == std::string::npos ? r : r.substr(r.find('.') + 1);
        for (const std::string& name : {r, parent, "x." + r, "y.x." + r}) {
            const bool expected =
                psl_is_public_suffix2(psl.get(), name.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
            CAPTURE(name);
            if (list.is_public_suffix(name) != expected) FAIL_CHECK("differs from libpsl");
            ++compared;
        }
    }
    CHECK(compared > 20000);
    // The private section is not part of it.
    CHECK_FALSE(list.is_public_suffix("github.io"));
}
