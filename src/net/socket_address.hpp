#pragma once
// IpAddr <-> sockaddr, for the Linux and Windows proxies and resolvers: the
// address that was checked is the address that is connected to, built in one
// place. On Windows, include this after <winsock2.h>.
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <cstdint>
#include <cstring>
#include <optional>

#include "net/ip_address.hpp"

namespace mxc::net {

struct SocketAddress {
    sockaddr_storage storage{};
    int length = 0;  // bytes of `storage` in use
    int family = AF_UNSPEC;
    [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

inline SocketAddress to_socket_address(const IpAddr& addr, std::uint16_t port) {
    SocketAddress out;
    if (addr.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(addr.v4());
        out.length = sizeof(sockaddr_in);
        out.family = AF_INET;
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        std::memcpy(&sin6->sin6_addr, addr.bytes.data(), 16);
        out.length = sizeof(sockaddr_in6);
        out.family = AF_INET6;
    }
    return out;
}

// The address of a resolver answer; nullopt for families other than IPv4/6.
inline std::optional<IpAddr> from_socket_address(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        return IpAddr::from_v4(ntohl(sin->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        IpAddr a;
        std::memcpy(a.bytes.data(), &sin6->sin6_addr, 16);
        return a;
    }
    return std::nullopt;
}

}  // namespace mxc::net
