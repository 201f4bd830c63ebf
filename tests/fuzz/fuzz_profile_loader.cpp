// Arbitrary bytes as a profile: loading, validating and resolving must never
// crash, hang or read unbounded input, whatever the text says (including
// `extends` pointing at devices, directories or itself).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto diagnostics = mxc::policy::check_profile_text(text, "fuzz.toml");
    for (const auto& d : diagnostics) (void)d.to_string();
    return 0;
}
