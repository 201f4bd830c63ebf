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

// What CreateProcess will start for `path`, as far as the batch refusal is
// concerned. Win32 strips trailing dots and spaces from the last component
// and "t.bat::$DATA" is the file's default stream, so "t.bat.", "t.bat " and
// "t.bat::$DATA" all run cmd.exe on t.bat. is_batch_script() is true for
// every spelling that ends up at a .bat or .cmd file; names_stream() is true
// when the last component names an alternate data stream (never started).
std::string effective_file_name(const std::string& path);
bool is_batch_script(const std::string& path);
bool names_stream(const std::string& path);

// The inverse (MSVCRT rules), used by tests to prove round-tripping.
std::vector<std::string> split_command_line(const std::string& cmdline);

}  // namespace mxc::platform::win
