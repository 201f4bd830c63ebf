#pragma once
// argv -> one CreateProcess command line, quoted so that the child's C runtime
// (CommandLineToArgvW / the MSVCRT parser) splits it back into exactly the same
// argv. Pure, so the rules are unit-tested on every OS.
#include <string>
#include <vector>

namespace mxc::platform::win {

// Rules (MSVCRT, post-2008): an argument is quoted when it is empty or holds a
// space, tab, newline, vertical tab or '"'. Inside quotes, backslashes are
// literal unless they precede a '"': then 2n backslashes + '"' encode n
// backslashes + a literal quote, and backslashes before the closing quote are
// doubled.
std::string quote_argument(const std::string& arg);
std::string build_command_line(const std::vector<std::string>& argv);

// The inverse (MSVCRT rules), used by tests to prove round-tripping.
std::vector<std::string> split_command_line(const std::string& cmdline);

}  // namespace mxc::platform::win
