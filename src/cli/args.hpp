#pragma once
#include <string>
#include <vector>

namespace mxc::cli {

// The arguments after argv[0], as UTF-8 on every platform. On Windows,
// main()'s argv is in the ANSI code page and loses characters it cannot
// represent, so the UTF-16 command line is read again instead.
std::vector<std::string> command_line_args(int argc, char** argv);

// The process that started mxc, read once at startup so that a later check
// can tell whether it has died since (its children are then re-parented).
// 0 on Windows, where --die-with-parent is not supported yet.
long parent_process_id();

}  // namespace mxc::cli
