// Windows builds have no libpsl: the ICANN section of Debian's publicsuffix
// package is embedded at build time (embed_public_suffix.cmake) and parsed
// once, at the first wildcard rule checked. Frozen at build time, unlike
// Linux, where an updated publicsuffix package counts at once.
#include "net/public_suffix.hpp"
#include "net/public_suffix_list.hpp"

namespace mxc::net {

extern const char* const kEmbeddedPublicSuffixList;  // generated: public_suffix_data.cpp

bool is_icann_public_suffix(std::string_view name) {
    static const PublicSuffixList list = PublicSuffixList::parse_icann(kEmbeddedPublicSuffixList);
    return list.is_public_suffix(name);
}

std::optional<std::string> public_suffix_list_unavailable() {
    return std::nullopt;
}

}  // namespace mxc::net
