#include "net/socks5.hpp"

#include "net/ip_address.hpp"

namespace mxc::net::socks5 {

Greeting parse_greeting(std::string_view d) {
    Greeting g;
    if (d.size() < 2) return g;
    if (static_cast<std::uint8_t>(d[0]) != kVersion || d[1] == 0) {
        g.status = Status::Error;
        return g;
    }
    std::size_t n = static_cast<std::uint8_t>(d[1]);
    if (d.size() < 2 + n) return g;
    for (std::size_t i = 0; i < n; ++i)
        if (d[2 + i] == 0) g.no_auth_offered = true;
    g.status = Status::Done;
    g.consumed = 2 + n;
    return g;
}

Request parse_request(std::string_view d) {
    Request r;
    if (d.size() < 4) return r;
    auto fail = [&](Reply code) {
        r.status = Status::Error;
        r.error = code;
        return r;
    };
    if (static_cast<std::uint8_t>(d[0]) != kVersion || d[2] != 0) return fail(kGeneralFailure);
    if (d[1] != 1) return fail(kCommandNotSupported);  // BIND and UDP ASSOCIATE are never offered
    std::size_t addr_len = 0;
    std::size_t addr_off = 4;
    switch (static_cast<std::uint8_t>(d[3])) {
        case 1:
            addr_len = 4;
            break;
        case 4:
            addr_len = 16;
            break;
        case 3:
            if (d.size() < 5) return r;
            addr_len = static_cast<std::uint8_t>(d[4]);
            addr_off = 5;
            if (addr_len == 0) return fail(kHostUnreachable);
            break;
        default:
            return fail(kAddressTypeNotSupported);
    }
    if (d.size() < addr_off + addr_len + 2) return r;
    std::string_view a = d.substr(addr_off, addr_len);
    if (d[3] == 1) {
        std::uint32_t v = 0;
        for (char c : a) v = (v << 8) | static_cast<std::uint8_t>(c);
        r.host = format_ip(IpAddr::from_v4(v));
    } else if (d[3] == 4) {
        IpAddr ip;
        for (std::size_t i = 0; i < 16; ++i) ip.bytes[i] = static_cast<std::uint8_t>(a[i]);
        r.host = format_ip(ip);
    } else {
        r.host = std::string(a);
        r.is_domain = true;
    }
    r.port = static_cast<std::uint16_t>((static_cast<std::uint8_t>(d[addr_off + addr_len]) << 8) |
                                        static_cast<std::uint8_t>(d[addr_off + addr_len + 1]));
    if (r.port == 0) return fail(kConnectionRefused);
    r.status = Status::Done;
    r.consumed = addr_off + addr_len + 2;
    return r;
}

std::array<char, 2> method_reply(bool accepted) {
    return {static_cast<char>(kVersion), static_cast<char>(accepted ? 0x00 : 0xff)};
}

std::array<char, 10> reply(Reply code) {
    return {static_cast<char>(kVersion), static_cast<char>(code), 0, 1, 0, 0, 0, 0, 0, 0};
}

}  // namespace mxc::net::socks5
