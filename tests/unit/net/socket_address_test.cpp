// The sockaddr a proxy connects to is the address that was checked.
#include <doctest/doctest.h>

#include "net/socket_address.hpp"

using namespace mxc::net;

TEST_CASE("IPv4: IpAddr -> sockaddr_in -> IpAddr, port in network order") {
    const IpAddr a = IpAddr::from_v4(0x7F000002);  // 127.0.0.2
    const SocketAddress sa = to_socket_address(a, 8443);
    CHECK(sa.family == AF_INET);
    CHECK(sa.length == static_cast<int>(sizeof(sockaddr_in)));
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa.get());
    CHECK(ntohs(sin->sin_port) == 8443);
    CHECK(ntohl(sin->sin_addr.s_addr) == 0x7F000002u);
    CHECK(from_socket_address(sa.get()) == a);
}

TEST_CASE("IPv6: IpAddr -> sockaddr_in6 -> IpAddr") {
    auto a = parse_ipv6("2001:db8::1");
    REQUIRE(a);
    const SocketAddress sa = to_socket_address(*a, 443);
    CHECK(sa.family == AF_INET6);
    CHECK(sa.length == static_cast<int>(sizeof(sockaddr_in6)));
    CHECK(ntohs(reinterpret_cast<const sockaddr_in6*>(sa.get())->sin6_port) == 443);
    CHECK(from_socket_address(sa.get()) == *a);
}

TEST_CASE("IPv4-mapped IPv6 is connected to as IPv4, the form the rules checked") {
    auto a = parse_ipv6("::ffff:10.0.0.1");
    REQUIRE(a);
    CHECK(to_socket_address(*a, 80).family == AF_INET);
}

TEST_CASE("other address families are not addresses") {
    sockaddr_storage ss{};
    ss.ss_family = AF_UNIX;
    CHECK_FALSE(from_socket_address(reinterpret_cast<const sockaddr*>(&ss)).has_value());
}
