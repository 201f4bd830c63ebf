#pragma once
// Reads the paths of gitlinks (submodule entries, mode 160000) from a git
// index file. Host `git status` descends into every populated gitlink and
// runs git there with that checkout's own config and hooks, so a nested
// repository a run adds to the index is exec-capable state of the parent.
// The bytes are hostile: every length is bounds-checked; a malformed index
// yields what was read before the damage.
#include <cstddef>
#include <string>
#include <vector>

namespace mxc::integrity {

// `hash_len`: 20 (SHA-1) or 32 (SHA-256 repositories). Versions 2, 3, 4.
std::vector<std::string> index_gitlinks(const std::string& index, std::size_t hash_len);

// 32 when a repository's config selects extensions.objectFormat = sha256.
std::size_t hash_len_from_config(const std::string& config_text);

}  // namespace mxc::integrity
