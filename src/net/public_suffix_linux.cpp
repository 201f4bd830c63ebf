#include <dlfcn.h>
#include <libpsl.h>

#include <string>

#include "net/public_suffix.hpp"

namespace mxc::net {
namespace {

// libpsl is loaded on the first wildcard rule checked, not linked: most
// profiles have none, and loading it (with libidn2 and libunistring) was a
// measurable part of every mxc start (issue 14). Filled once, never
// unloaded (nor is the context: it lives as long as the process).
struct Psl {
    const psl_ctx_t* ctx = nullptr;
    decltype(&::psl_is_public_suffix2) is_public_suffix2 = nullptr;
};

// psl_latest() picks the newer of the list compiled into libpsl and the
// publicsuffix package's file, so an updated package counts without a
// rebuild of libpsl; without the package it is the built-in list (never
// null on Debian's libpsl5).
const Psl& psl() {
    static const Psl table = [] {
        Psl l;
        void* handle = ::dlopen(MXC_PSL_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) return l;
        auto latest = reinterpret_cast<decltype(&::psl_latest)>(::dlsym(handle, "psl_latest"));
        auto builtin = reinterpret_cast<decltype(&::psl_builtin)>(::dlsym(handle, "psl_builtin"));
        l.is_public_suffix2 =
            reinterpret_cast<decltype(l.is_public_suffix2)>(::dlsym(handle, "psl_is_public_suffix2"));
        if (latest == nullptr || builtin == nullptr || l.is_public_suffix2 == nullptr) return l;
        const psl_ctx_t* ctx = latest(nullptr);
        l.ctx = ctx != nullptr ? ctx : builtin();
        return l;
    }();
    return table;
}

}  // namespace

std::optional<std::string> public_suffix_list_unavailable() {
    if (psl().ctx != nullptr) return std::nullopt;
    return "cannot load the Public Suffix List from " + std::string(MXC_PSL_SONAME) + " (install libpsl5)";
}

bool is_icann_public_suffix(std::string_view name) {
    // Without the list every wildcard counts as a suffix: refused, not let through.
    if (public_suffix_list_unavailable()) return true;
    if (name.empty()) return false;
    // NO_STAR_RULE: without it libpsl calls every unknown TLD a public
    // suffix, and "*.internal" is an intranet, not the internet.
    return psl().is_public_suffix2(psl().ctx, std::string(name).c_str(),
                                   PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}

}  // namespace mxc::net
