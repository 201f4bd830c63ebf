#include <doctest/doctest.h>

#include <string>

#include "net/socks5.hpp"

using namespace mxc::net;
using socks5::Status;

namespace {
std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}
}  // namespace

TEST_CASE("greeting offering no-auth is accepted") {
    auto g = socks5::parse_greeting(bytes({5, 2, 2, 0}));
    CHECK(g.status == Status::Done);
    CHECK(g.consumed == 4);
    CHECK(g.no_auth_offered);
}

TEST_CASE("greeting without no-auth is answered with 0xFF") {
    auto g = socks5::parse_greeting(bytes({5, 1, 2}));
    CHECK(g.status == Status::Done);
    CHECK_FALSE(g.no_auth_offered);
    CHECK(socks5::method_reply(false)[1] == static_cast<char>(0xff));
}

TEST_CASE("partial and malformed greetings") {
    CHECK(socks5::parse_greeting(bytes({5})).status == Status::NeedMore);
    CHECK(socks5::parse_greeting(bytes({5, 3, 0})).status == Status::NeedMore);
    CHECK(socks5::parse_greeting(bytes({4, 1, 0})).status == Status::Error);
    CHECK(socks5::parse_greeting(bytes({5, 0})).status == Status::Error);
}

TEST_CASE("CONNECT with a domain name") {
    std::string req = bytes({5, 1, 0, 3, 11}) + "example.com" + bytes({0x01, 0xbb});
    for (std::size_t n = 0; n < req.size(); ++n)
        CHECK(socks5::parse_request(req.substr(0, n)).status == Status::NeedMore);
    auto r = socks5::parse_request(req + "extra");
    REQUIRE(r.status == Status::Done);
    CHECK(r.host == "example.com");
    CHECK(r.is_domain);
    CHECK(r.port == 443);
    CHECK(r.consumed == req.size());
}

TEST_CASE("CONNECT with IPv4 and IPv6 addresses") {
    auto v4 = socks5::parse_request(bytes({5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90}));
    REQUIRE(v4.status == Status::Done);
    CHECK(v4.host == "127.0.0.1");
    CHECK_FALSE(v4.is_domain);
    CHECK(v4.port == 8080);
    auto v6 =
        socks5::parse_request(bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}));
    REQUIRE(v6.status == Status::Done);
    CHECK(v6.host == "::1");
    CHECK(v6.port == 80);
}

TEST_CASE("unsupported commands and address types map to their reply codes") {
    auto bind = socks5::parse_request(bytes({5, 2, 0, 1, 1, 2, 3, 4, 0, 80}));
    CHECK(bind.status == Status::Error);
    CHECK(bind.error == socks5::kCommandNotSupported);
    auto udp = socks5::parse_request(bytes({5, 3, 0, 1, 1, 2, 3, 4, 0, 80}));
    CHECK(udp.error == socks5::kCommandNotSupported);
    auto atyp = socks5::parse_request(bytes({5, 1, 0, 9, 1, 2, 3, 4, 0, 80}));
    CHECK(atyp.status == Status::Error);
    CHECK(atyp.error == socks5::kAddressTypeNotSupported);
    auto ver = socks5::parse_request(bytes({4, 1, 0, 1, 1, 2, 3, 4, 0, 80}));
    CHECK(ver.status == Status::Error);
    auto rsv = socks5::parse_request(bytes({5, 1, 1, 1, 1, 2, 3, 4, 0, 80}));
    CHECK(rsv.status == Status::Error);
    auto empty = socks5::parse_request(bytes({5, 1, 0, 3, 0, 0, 80}));
    CHECK(empty.status == Status::Error);
    auto port0 = socks5::parse_request(bytes({5, 1, 0, 1, 1, 2, 3, 4, 0, 0}));
    CHECK(port0.status == Status::Error);
}

TEST_CASE("replies are ten bytes with the code in the second") {
    auto r = socks5::reply(socks5::kNotAllowed);
    CHECK(r[0] == 5);
    CHECK(r[1] == 2);
    CHECK(r[3] == 1);
}
