// parse_size / parse_duration on arbitrary bytes: no crash, no overflow
// (UBSan), and an accepted size or duration is never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)mxc::policy::parse_size(text);
    auto duration = mxc::policy::parse_duration(text);
    if (duration && duration->count() < 0) std::abort();
    return 0;
}
