#pragma once
#include <string>
#include <vector>

namespace mxc::cli {

// argv as a POSIX shell would need it typed, so it can be copied back:
// plain words as they are, anything else in single quotes.
std::string shell_words(const std::vector<std::string>& argv);

}  // namespace mxc::cli
