#pragma once
// The Public Suffix List parsed from its published text form
// (public_suffix_list.dat), for builds without libpsl: the Windows build
// embeds the ICANN section of Debian's publicsuffix package at build time
// (embed_public_suffix.cmake). Same answers as libpsl's
// psl_is_public_suffix2(PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE); a unit test
// compares the two on every rule.
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace mxc::net {

class PublicSuffixList {
public:
    // `text` is the list as published, or just its ICANN section. Only the
    // rules between "===BEGIN ICANN DOMAINS===" and "===END ICANN
    // DOMAINS===" count when the markers are there. Non-ASCII rules are
    // converted to punycode (idna_to_ascii), as host rules are; a rule that
    // does not convert is skipped.
    static PublicSuffixList parse_icann(std::string_view text);

    // `name`: lowercase punycode without a trailing dot. True for a listed
    // suffix ("co.uk"), the parent of a wildcard rule ("ck" for "*.ck", as
    // libpsl counts it), and a name a wildcard covers ("bar.ck") unless an
    // exception rule names it ("!www.ck").
    [[nodiscard]] bool is_public_suffix(std::string_view name) const;
    [[nodiscard]] std::size_t rule_count() const {
        return exact_.size() + wildcard_.size() + exception_.size();
    }

private:
    std::unordered_set<std::string> exact_;      // "co.uk"
    std::unordered_set<std::string> wildcard_;   // "ck" for "*.ck"
    std::unordered_set<std::string> exception_;  // "www.ck" for "!www.ck"
};

}  // namespace mxc::net
