#include "cli/managed_source.hpp"

#include <cstdlib>

#ifndef _WIN32
#include <limits.h>
#include <unistd.h>
#endif

#include "platform/managed_file.hpp"

namespace mxc::cli {
namespace {

// The directory of the running binary equals the directory CMake built it
// in: an installed copy (/usr/bin/mxc) never does.
bool running_from_build_tree() {
#if defined(MXC_BUILD_TREE_DIR) && !defined(_WIN32)
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return false;
    std::string exe(buf, static_cast<std::size_t>(n));
    auto slash = exe.rfind('/');
    return slash != std::string::npos && exe.substr(0, slash) == MXC_BUILD_TREE_DIR;
#else
    return false;
#endif
}

}  // namespace

std::string managed_policy_path() {
    if (running_from_build_tree()) {
        if (const char* p = std::getenv("MXC_MANAGED_POLICY"); p != nullptr && *p != '\0') return p;
    }
    return platform::default_managed_policy_path();
}

Result<std::shared_ptr<const policy::ManagedPolicy>> load_managed_policy() {
    const std::string path = managed_policy_path();
    auto bytes = platform::read_managed_file(path);
    if (!bytes) return bytes.error();
    if (!*bytes) return std::shared_ptr<const policy::ManagedPolicy>{};
    auto loaded = policy::load_managed_text(**bytes, path);
    if (!loaded.policy) {
        std::string message;
        for (const auto& d : loaded.diagnostics) message += (message.empty() ? "" : "\n") + d.to_string();
        message += "\nmxc: the managed policy " + path + " is broken: every run is refused until it is fixed";
        return make_error(std::move(message));
    }
    return std::shared_ptr<const policy::ManagedPolicy>(
        std::make_shared<policy::ManagedPolicy>(std::move(*loaded.policy)));
}

}  // namespace mxc::cli
