// index_gitlinks on hand-built index files (versions 2, 3 and 4) and on
// damaged ones: the bytes come from the sandboxed run.
#include "integrity/git_index.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using mxc::integrity::hash_len_from_config;
using mxc::integrity::index_gitlinks;

namespace {

void put32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
}

// entries: (mode, path). Version 4 compresses each path against the previous.
std::string make_index(std::uint32_t version,
                       const std::vector<std::pair<std::uint32_t, std::string>>& entries,
                       std::size_t hash_len = 20) {
    std::string s = "DIRC";
    put32(s, version);
    put32(s, static_cast<std::uint32_t>(entries.size()));
    std::string previous;
    for (const auto& [mode, path] : entries) {
        const std::size_t start = s.size();
        s.append(24, '\0');
        put32(s, mode);
        s.append(12, '\0');
        s.append(hash_len, '\x11');
        const auto len = static_cast<std::uint16_t>(path.size() < 0xfff ? path.size() : 0xfff);
        s += static_cast<char>(len >> 8);
        s += static_cast<char>(len & 0xff);
        if (version == 4) {
            std::size_t common = 0;
            while (common < previous.size() && common < path.size() && previous[common] == path[common])
                ++common;
            const std::size_t drop = previous.size() - common;
            REQUIRE(drop < 128);  // one varint byte is enough for these tests
            s += static_cast<char>(drop);
            s += path.substr(common);
            s += '\0';
        } else {
            s += path;
            const std::size_t used = s.size() - start;
            s.append(8 - used % 8, '\0');
        }
        previous = path;
    }
    return s;
}

}  // namespace

TEST_CASE("gitlinks are found among files in index versions 2, 3 and 4") {
    const std::vector<std::pair<std::uint32_t, std::string>> entries = {
        {0100644, "README"}, {0160000, "vendor/lib"}, {0100755, "vendor/lib.sh"}, {0160000, "vendor/lim"}};
    for (std::uint32_t v : {2U, 3U, 4U}) {
        CAPTURE(v);
        CHECK(index_gitlinks(make_index(v, entries), 20) ==
              std::vector<std::string>{"vendor/lib", "vendor/lim"});
    }
}

TEST_CASE("SHA-256 repositories have 32-byte hashes in the index") {
    const auto index = make_index(2, {{0100644, "a"}, {0160000, "sub"}}, 32);
    CHECK(index_gitlinks(index, 32) == std::vector<std::string>{"sub"});
    CHECK(hash_len_from_config("[extensions]\n\tobjectFormat = sha256\n") == 32);
    CHECK(hash_len_from_config("[core]\n\tbare = false\n") == 20);
}

TEST_CASE("a damaged index yields what was read before the damage, never reads past the end") {
    const auto index = make_index(2, {{0160000, "first"}, {0160000, "second"}});
    for (std::size_t cut = 0; cut < index.size(); ++cut) {
        const auto links = index_gitlinks(index.substr(0, cut), 20);
        CHECK(links.size() <= 2);
    }
    CHECK(index_gitlinks("DIRC\0\0\0\x09", 20).empty());  // unknown version
    std::string huge_count = make_index(2, {{0160000, "x"}});
    huge_count[8] = '\x7f';  // claims 2 billion entries
    CHECK(index_gitlinks(huge_count, 20) == std::vector<std::string>{"x"});
    std::string v4 = make_index(4, {{0160000, "x"}});
    v4[12 + 40 + 20 + 2] = '\x05';  // drops more than the previous path has
    CHECK(index_gitlinks(v4, 20).empty());
}
