#include "net/public_suffix_list.hpp"

#include <algorithm>

#include "net/idna.hpp"

namespace mxc::net {
namespace {

constexpr std::string_view kBegin = "===BEGIN ICANN DOMAINS===";
constexpr std::string_view kEnd = "===END ICANN DOMAINS===";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

PublicSuffixList PublicSuffixList::parse_icann(std::string_view text) {
    if (auto begin = text.find(kBegin); begin != std::string_view::npos) {
        text.remove_prefix(begin + kBegin.size());
        text = text.substr(0, text.find(kEnd));
    }
    PublicSuffixList list;
    while (!text.empty()) {
        std::size_t eol = text.find('\n');
        std::string_view line = trim(text.substr(0, eol));
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        // A rule is the first whitespace-separated word of a line; "//" starts a comment.
        line = line.substr(0, line.find_first_of(" \t"));
        if (line.empty() || line.substr(0, 2) == "//") continue;
        std::unordered_set<std::string>* into = &list.exact_;
        if (line.front() == '!') {
            into = &list.exception_;
            line.remove_prefix(1);
        } else if (line.substr(0, 2) == "*.") {
            into = &list.wildcard_;
            line.remove_prefix(2);
        }
        auto ascii = idna_to_ascii(line);
        if (ascii && !ascii->empty()) into->insert(std::move(ascii).value());
    }
    return list;
}

bool PublicSuffixList::is_public_suffix(std::string_view name) const {
    if (name.empty()) return false;
    const std::string n(name);
    if (exception_.contains(n)) return false;
    if (exact_.contains(n) || wildcard_.contains(n)) return true;
    const std::size_t dot = n.find('.');
    return dot != std::string::npos && wildcard_.contains(n.substr(dot + 1));
}

}  // namespace mxc::net
