#pragma once
// One UTF-8 decoder for every place that escapes text for someone else
// (JSON, TOML, the terminal): they must agree on what is valid.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mxc {

// Decodes the sequence at s[i] into `cp` and returns its length (1 for
// ASCII), or 0 if it is invalid: truncated, overlong, a surrogate, above
// U+10FFFF, or a stray continuation byte.
std::size_t utf8_decode(std::string_view s, std::size_t i, std::uint32_t& cp);

}  // namespace mxc
