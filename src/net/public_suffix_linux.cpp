#include <libpsl.h>

#include <memory>
#include <string>

#include "net/public_suffix.hpp"

namespace mxc::net {
namespace {

struct PslFree {
    void operator()(psl_ctx_t* ctx) const { psl_free(ctx); }
};

// Loaded once per process and never changed afterwards. psl_latest() picks
// the newer of the list compiled into libpsl and the publicsuffix package's
// file, so an updated package counts without a rebuild of libpsl; without
// the package it is the built-in list (never null on Debian's libpsl5).
const psl_ctx_t* context() {
    static const std::unique_ptr<psl_ctx_t, PslFree> ctx(psl_latest(nullptr));
    return ctx ? ctx.get() : psl_builtin();
}

}  // namespace

bool is_icann_public_suffix(std::string_view name) {
    const psl_ctx_t* ctx = context();
    if (ctx == nullptr || name.empty()) return false;
    // NO_STAR_RULE: without it libpsl calls every unknown TLD a public
    // suffix, and "*.internal" is an intranet, not the internet.
    return psl_is_public_suffix2(ctx, std::string(name).c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}

}  // namespace mxc::net
