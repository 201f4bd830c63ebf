#include "integrity/git_index.hpp"

#include <cctype>
#include <cstdint>
#include <string_view>

namespace mxc::integrity {
namespace {

std::uint32_t be32(const std::string& s, std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

constexpr std::size_t kStatBytes = 40;  // ctime mtime dev ino mode uid gid size
constexpr std::uint32_t kGitlink = 0160000;
constexpr std::uint16_t kExtendedFlag = 0x4000;

}  // namespace

std::vector<std::string> index_gitlinks(const std::string& index, std::size_t hash_len) {
    std::vector<std::string> links;
    if (index.size() < 12 || index.compare(0, 4, "DIRC") != 0) return links;
    const std::uint32_t version = be32(index, 4);
    if (version < 2 || version > 4) return links;
    const std::uint32_t count = be32(index, 8);
    std::size_t pos = 12;
    std::string previous;
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t start = pos;
        if (pos + kStatBytes + hash_len + 2 > index.size()) break;
        const std::uint32_t mode = be32(index, pos + 24);
        pos += kStatBytes + hash_len;
        const auto flags = static_cast<std::uint16_t>((static_cast<unsigned char>(index[pos]) << 8) |
                                                      static_cast<unsigned char>(index[pos + 1]));
        pos += 2;
        if (version >= 3 && (flags & kExtendedFlag) != 0) pos += 2;
        if (pos > index.size()) break;
        // Paths are views into the index (version 4: into the previous
        // path, rebuilt in place); only gitlinks are copied out. A work tree
        // has tens of thousands of entries and few gitlinks.
        std::string_view path;
        if (version == 4) {
            // Prefix compression: drop N bytes of the previous path, append the rest.
            std::uint64_t drop = 0;
            unsigned char c = 0;
            int bytes = 0;
            do {
                if (pos >= index.size() || ++bytes > 9) return links;
                c = static_cast<unsigned char>(index[pos++]);
                if (bytes > 1) ++drop;
                drop = (drop << 7) | (c & 127U);
            } while ((c & 128U) != 0);
            if (drop > previous.size()) return links;
            const auto nul = index.find('\0', pos);
            if (nul == std::string::npos) return links;
            previous.resize(previous.size() - drop);
            previous.append(index, pos, nul - pos);
            path = previous;
            pos = nul + 1;
        } else {
            const auto nul = index.find('\0', pos);
            if (nul == std::string::npos) return links;
            path = std::string_view(index).substr(pos, nul - pos);
            // Entries are NUL-padded to a multiple of 8 bytes (at least one NUL).
            pos = start + ((nul - start + 8) & ~static_cast<std::size_t>(7));
        }
        if ((mode & 0170000U) == kGitlink) links.emplace_back(path);
    }
    return links;
}

std::size_t hash_len_from_config(const std::string& config_text) {
    std::string flat;
    for (char c : config_text) {
        if (c != ' ' && c != '\t') flat += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return flat.find("objectformat=sha256") != std::string::npos ? 32 : 20;
}

}  // namespace mxc::integrity
