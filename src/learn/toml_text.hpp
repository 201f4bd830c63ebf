#pragma once
// Text that goes into a generated profile. Everything recorded in a learning
// run (paths, program names, host names) was chosen by the sandboxed command,
// so it is quoted here and never pasted raw: a newline in a program name must
// not become a rule line.
#include <optional>
#include <string>
#include <string_view>

namespace mxc::learn {

// `s` as a TOML basic string ("..."), with quotes, backslashes, control
// characters, C1 controls and bidirectional overrides escaped as \uXXXX.
// nullopt when `s` is not valid UTF-8 (TOML cannot hold it).
std::optional<std::string> toml_string(std::string_view s);

// `s` made safe for one TOML comment line: no line breaks, no control
// characters, valid UTF-8 (everything else spelled out as \xNN / \uNNNN).
std::string comment_text(std::string_view s);

// Valid UTF-8 without C0 controls or DEL.
bool is_plain_utf8(std::string_view s);

}  // namespace mxc::learn
