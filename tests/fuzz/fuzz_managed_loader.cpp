// Arbitrary bytes as a managed policy (docs/managed.md): loading it, and
// applying it to the built-in coding-agent profile, must never crash or
// hang, whatever the text says.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "policy/managed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto loaded = mxc::policy::load_managed_text(text, "/etc/mxc/managed.toml");
    for (const auto& d : loaded.diagnostics) (void)d.to_string();
    if (!loaded.policy) return 0;
    mxc::policy::ResolveContext ctx;
    ctx.workspace = "/work/project";
    ctx.home = "/home/fuzz";
    ctx.tmp = "/tmp/mxc-fuzz";
    ctx.cwd = "/work/project";
    ctx.managed = std::make_shared<mxc::policy::ManagedPolicy>(std::move(*loaded.policy));
    auto resolved = mxc::policy::load_policy("coding-agent", {}, ctx);
    if (!resolved) (void)resolved.error().message;
    return 0;
}
