#pragma once
// Text from an untrusted source (an audit log: host names, argv and paths
// chosen by a sandboxed program) made safe to print on a terminal.
#include <string>
#include <string_view>

namespace mxc {

// `s` with every byte or character that a terminal could act on spelled out:
// C0 controls (ESC, CR, BEL, ...), DEL and bytes of invalid UTF-8 as "\xNN",
// C1 controls (U+0080..U+009F, e.g. the one-byte CSI) and the bidirectional
// overrides that reorder what is displayed (U+202A..U+202E, U+2066..U+2069)
// as "\uNNNN". Everything else, valid UTF-8 included, is unchanged.
std::string terminal_safe(std::string_view s);

}  // namespace mxc
