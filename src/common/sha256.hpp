#pragma once
// SHA-256 (FIPS 180-4), for the audit log's profile_sha256. Hand-written
// because no Debian package provides it for both the native and the mingw
// build; it is small and checked against the FIPS test vectors.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mxc {

class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    std::array<std::uint8_t, 32> finish();

private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buf_{};
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};

// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace mxc
