#include "platform/linux/apply/seccomp_precompiled.hpp"

namespace mxc::lnx {

std::span<const sock_filter> find_precompiled(std::string_view key) {
    for (const auto& f : precompiled_filters()) {
        if (f.key == key) return f.code;
    }
    return {};
}

}  // namespace mxc::lnx
