// Windows builds carry no Public Suffix List (libpsl is a Linux dependency):
// the check is skipped there, as docs/windows.md says. Profiles are normally
// written and checked with `mxc check` on Linux, where it applies.
#include "net/public_suffix.hpp"

namespace mxc::net {

bool is_icann_public_suffix(std::string_view /*name*/) {
    return false;
}

}  // namespace mxc::net
