#include <doctest/doctest.h>

#include <string>

#include "common/sha256.hpp"

TEST_CASE("sha256 matches the FIPS 180-4 test vectors") {
    CHECK(mxc::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(mxc::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(mxc::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(mxc::sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest however the input is split") {
    mxc::Sha256 a;
    for (char c : std::string(200, 'x')) a.update(std::string_view(&c, 1));
    auto split = a.finish();
    mxc::Sha256 b;
    b.update(std::string(200, 'x'));
    CHECK(split == b.finish());
}
