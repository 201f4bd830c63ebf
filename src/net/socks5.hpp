#pragma once
// SOCKS5 (RFC 1928) server side, CONNECT only, no authentication. Pure and
// incremental: each parse_* looks at what has been received so far and says
// NeedMore, Done (with how many bytes it used) or Error (with the reply code
// to send before closing).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mxc::net::socks5 {

inline constexpr std::uint8_t kVersion = 5;

enum Reply : std::uint8_t {
    kSucceeded = 0x00,
    kGeneralFailure = 0x01,
    kNotAllowed = 0x02,  // "connection not allowed by ruleset"
    kNetworkUnreachable = 0x03,
    kHostUnreachable = 0x04,
    kConnectionRefused = 0x05,
    kTtlExpired = 0x06,
    kCommandNotSupported = 0x07,
    kAddressTypeNotSupported = 0x08,
};

enum class Status { NeedMore, Done, Error };

struct Greeting {
    Status status = Status::NeedMore;
    std::size_t consumed = 0;
    bool no_auth_offered = false;  // else reply {5, 0xFF} and close
};
Greeting parse_greeting(std::string_view data);

struct Request {
    Status status = Status::NeedMore;
    std::size_t consumed = 0;
    Reply error = kGeneralFailure;  // when Error
    std::string host;               // domain as sent, or the IP literal as text ("1.2.3.4", "::1")
    bool is_domain = false;
    std::uint16_t port = 0;
};
Request parse_request(std::string_view data);

// The method-selection reply: {5, 0x00} or {5, 0xFF}.
std::array<char, 2> method_reply(bool accepted);
// A reply with an IPv4 bound address of 0.0.0.0:0 (clients ignore it for CONNECT).
std::array<char, 10> reply(Reply code);

}  // namespace mxc::net::socks5
