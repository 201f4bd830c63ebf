#pragma once
// bubblewrap-style failure messages: every failed setup step names what it
// was doing, the path involved and the errno text.
#include <cerrno>
#include <cstring>
#include <string>

#include "common/result.hpp"

namespace mxc::lnx {

inline Error sys_error(const std::string& what, int err = errno) {
    return make_error(what + ": " + std::strerror(err));
}

inline Error sys_error(const std::string& what, const std::string& path, int err = errno) {
    return make_error(what + " " + path + ": " + std::strerror(err));
}

}  // namespace mxc::lnx
