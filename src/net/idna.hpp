#pragma once
// Host names to their ASCII (punycode) form, so that "bücher.de" written in a
// rule and "xn--bcher-kva.de" sent by a client are the same host. Linux uses
// libidn2 (UTS #46 non-transitional, the browsers' mapping); Windows uses
// IdnToAscii from the OS.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mxc::net {

// `name` is any UTF-8 host name. Returns the lowercase ASCII form. ASCII input
// is only lowercased (its "xn--" labels are checked to decode).
Result<std::string> idna_to_ascii(std::string_view name);

// Loads libidn2 now instead of on the first non-ASCII or "xn--" name; false
// when it cannot be loaded (always true on Windows: nothing to load). For
// the supervisor, before the sandbox exists, when LD_LIBRARY_PATH is set.
bool load_idna_library();

}  // namespace mxc::net
