#pragma once
#include <string>
#include <vector>

namespace mxc::cli {

// The arguments after argv[0], as UTF-8 on every platform. On Windows,
// main()'s argv is in the ANSI code page and loses characters it cannot
// represent, so the UTF-16 command line is read again instead.
std::vector<std::string> command_line_args(int argc, char** argv);

}  // namespace mxc::cli
