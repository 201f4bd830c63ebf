#pragma once
// DNS messages for the sandbox's DNS stub (dns_stub_linux.hpp): parsing a
// query the sandbox sent and building the stub's replies. Every byte here
// comes from the sandboxed process, so parsing is libldns's (a maintained
// wire-format parser with its own bounds checks: compression pointers,
// label and name lengths, section counts) and this file only decides what
// a well-formed query asks for. Linux only: the Windows build has no stub
// (docs/windows.md).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.hpp"

namespace mxc::net::dns {

// Anything larger is not a query a resolver sends: dropped unread.
inline constexpr std::size_t kMaxQuery = 4096;
// What the stub sends over UDP when the client did not announce more (EDNS).
inline constexpr std::size_t kClassicUdp = 512;
// Ceiling for an EDNS client (the DNS flag day 2020 value: no fragmentation).
inline constexpr std::size_t kMaxUdp = 1232;
// The most addresses one answer carries.
inline constexpr std::size_t kMaxAnswers = 32;

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeAAAA = 28;
inline constexpr std::uint16_t kClassIn = 1;

enum class Rcode : std::uint8_t {
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5
};

// Extended DNS Error (RFC 8914) info code 15: "Blocked" by local policy.
inline constexpr std::uint16_t kEdeBlocked = 15;

struct Query {
    std::uint16_t id = 0;
    std::vector<std::uint8_t> qname;  // wire form as sent (case kept: 0x20 randomisation)
    // Lowercase, dot-separated, no trailing dot. Empty when the name is not
    // a host name (the root, bytes outside letters/digits/'-'/'_'): such a
    // name is refused without a lookup.
    std::string name;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    bool rd = false;
    bool edns = false;
    std::size_t udp_limit = kClassicUdp;  // largest UDP reply the client takes
};

struct Parsed {
    enum class Kind {
        Query,  // `query` is a well-formed standard query for one name
        Reply,  // malformed or unsupported: send `reply` (FORMERR, NOTIMP)
        Drop,   // not worth an answer (too short, a response, oversized)
    };
    Kind kind = Kind::Drop;
    Query query;
    std::vector<std::uint8_t> reply;
};

Parsed parse_query(std::span<const std::uint8_t> wire);

// Loads libldns now instead of on the stub's first query; false when it
// cannot be loaded. The supervisor calls it before the sandbox exists when
// LD_LIBRARY_PATH is set, so the sandbox cannot plant the library the
// search finds (docs/design.md, DNS stub).
bool load_library();

// NOERROR with the addresses of the asked family (A: IPv4, AAAA: IPv6,
// at most kMaxAnswers), each with `ttl` seconds; NODATA (no answer) for any
// other type or when none is of that family. Over `limit` bytes: the
// header and question with TC set, so the client retries over TCP.
std::vector<std::uint8_t> answer(const Query& q, const std::vector<IpAddr>& addrs, std::uint32_t ttl,
                                 std::size_t limit);

// A refusal or failure for `q`: `rcode` with the question echoed; when the
// client speaks EDNS and `why` is not empty, an Extended DNS Error (Blocked)
// carrying `why` (truncated to fit).
std::vector<std::uint8_t> failure(const Query& q, Rcode rcode, std::string_view why = {});

}  // namespace mxc::net::dns
