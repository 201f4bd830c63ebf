#pragma once
// The text of a Win32 or Winsock error code, for the Windows applier and the
// egress proxy alike (Windows only).
#include <string>

namespace mxc {

// "<system message> (error N)", trailing punctuation trimmed; "unknown error
// (error N)" when Windows has no message for the code.
std::string win_error_message(unsigned long code);

}  // namespace mxc
