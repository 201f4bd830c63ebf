#pragma once
// How an mxc-attack subcommand reports: exit 0 when the attack succeeded, 1
// when it was blocked, 2 on a usage or setup error (so a broken attack is
// never mistaken for a blocked one). Shared by the attack files.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace mxc::attack {

inline constexpr int kSucceeded = 0;
inline constexpr int kBlocked = 1;
inline constexpr int kError = 2;

using Args = std::vector<std::string>;

inline int succeeded(const std::string& what) {
    std::fprintf(stderr, "mxc-attack: SUCCEEDED: %s\n", what.c_str());
    return kSucceeded;
}
inline int blocked(const std::string& what, int err = errno) {
    std::fprintf(stderr, "mxc-attack: blocked: %s: %s\n", what.c_str(), std::strerror(err));
    return kBlocked;
}
inline int error(const std::string& what) {
    std::fprintf(stderr, "mxc-attack: error: %s\n", what.c_str());
    return kError;
}
inline int verdict(bool ok, const std::string& what) {
    return ok ? succeeded(what) : blocked(what);
}

}  // namespace mxc::attack
