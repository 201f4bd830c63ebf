// The DNS stub's message code with good and hostile input: every byte comes
// from the sandboxed process. Replies are read back with libldns.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "net/dns_message_linux.hpp"
#include "net/host_rule.hpp"
// Last: libldns's headers define macros (bool) that break C++ headers after them.
#include <ldns/ldns.h>

using namespace mxc::net;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes query(const std::string& name, std::uint16_t qtype, std::uint16_t id = 0x1234, bool edns = false,
            std::uint16_t edns_size = 4096) {
    Bytes q = {static_cast<std::uint8_t>(id >> 8),
               static_cast<std::uint8_t>(id & 0xff),
               0x01,
               0x00,
               0,
               1,
               0,
               0,
               0,
               0,
               0,
               static_cast<std::uint8_t>(edns ? 1 : 0)};
    std::size_t start = 0;
    while (start <= name.size() && !name.empty()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        q.push_back(static_cast<std::uint8_t>(dot - start));
        q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    q.push_back(0);
    q.insert(q.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype & 0xff), 0, 1});
    if (edns) {
        q.insert(q.end(), {0, 0, 41, static_cast<std::uint8_t>(edns_size >> 8),
                           static_cast<std::uint8_t>(edns_size & 0xff), 0, 0, 0, 0, 0, 0});
    }
    return q;
}

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

Pkt read_back(const Bytes& wire) {
    ldns_pkt* p = nullptr;
    REQUIRE(ldns_wire2pkt(&p, wire.data(), wire.size()) == LDNS_STATUS_OK);
    return Pkt(p);
}

dns::Query parsed(const Bytes& wire) {
    auto p = dns::parse_query(wire);
    REQUIRE(p.kind == dns::Parsed::Kind::Query);
    return p.query;
}

IpAddr ip(const char* text) {
    auto t = normalize_host(text);
    REQUIRE(t.ok());
    return t->ip;
}

std::uint8_t rcode_of(const Bytes& wire) {
    REQUIRE(wire.size() >= 12);
    return wire[3] & 0x0f;
}

}  // namespace

TEST_CASE("a standard query: id, name lowercased, type, recursion flag") {
    auto q = parsed(query("WwW.Example.ORG", dns::kTypeAAAA, 0xbeef));
    CHECK(q.id == 0xbeef);
    CHECK(q.name == "www.example.org");
    CHECK(q.qtype == dns::kTypeAAAA);
    CHECK(q.qclass == dns::kClassIn);
    CHECK(q.rd);
    CHECK_FALSE(q.edns);
    CHECK(q.udp_limit == dns::kClassicUdp);
    CHECK(parsed(query("_http._tcp.example.org", 33)).name == "_http._tcp.example.org");
}

TEST_CASE("EDNS: the client's UDP size is kept within 512..1232") {
    CHECK(parsed(query("a.org", 1, 1, true, 4096)).udp_limit == dns::kMaxUdp);
    CHECK(parsed(query("a.org", 1, 1, true, 100)).udp_limit == dns::kClassicUdp);
    CHECK(parsed(query("a.org", 1, 1, true, 900)).udp_limit == 900);
    CHECK(parsed(query("a.org", 1, 1, true)).edns);
}

TEST_CASE("names that are not host names are flagged (refused without a lookup)") {
    CHECK(parsed(query("", 1)).name.empty());  // the root
    Bytes space = query("a b.org", 1);
    CHECK(parsed(space).name.empty());
    Bytes nul = query("ab.org", 1);
    nul[13] = 0x00;  // "a\0" inside the first label
    CHECK(parsed(nul).name.empty());
    Bytes dot = query("ab.org", 1);
    dot[13] = '.';  // a dot inside a label would forge another name
    CHECK(parsed(dot).name.empty());
    Bytes high = query("ab.org", 1);
    high[13] = 0xc3;
    CHECK(parsed(high).name.empty());
}

TEST_CASE("hostile input: dropped or answered FORMERR/NOTIMP, never a query") {
    using Kind = dns::Parsed::Kind;
    CHECK(dns::parse_query(Bytes{}).kind == Kind::Drop);
    CHECK(dns::parse_query(Bytes(11, 0)).kind == Kind::Drop);
    CHECK(dns::parse_query(Bytes(dns::kMaxQuery + 1, 0)).kind == Kind::Drop);
    Bytes response = query("a.org", 1);
    response[2] |= 0x80;  // QR: a response is never answered (no loops)
    CHECK(dns::parse_query(response).kind == Kind::Drop);

    auto expect_reply = [](const Bytes& wire, std::uint8_t rcode) {
        auto p = dns::parse_query(wire);
        REQUIRE(p.kind == Kind::Reply);
        REQUIRE(p.reply.size() >= 12);
        CHECK(p.reply[0] == wire[0]);
        CHECK(p.reply[1] == wire[1]);
        CHECK((p.reply[2] & 0x80) != 0);
        CHECK(rcode_of(p.reply) == rcode);
    };
    Bytes truncated = query("example.org", 1);
    truncated.resize(truncated.size() - 3);
    expect_reply(truncated, 1);
    Bytes two = query("a.org", 1);
    two[5] = 2;  // qdcount 2, one question present
    expect_reply(two, 1);
    Bytes none = query("a.org", 1);
    none[5] = 0;
    none.resize(12);
    expect_reply(none, 1);
    Bytes loop = {0x00, 0x07, 0x01, 0x00, 0,    1, 0, 0, 0,
                  0,    0,    0,    0xc0, 0x0c, 0, 1, 0, 1};  // pointer to itself
    expect_reply(loop, 1);
    Bytes forward = {0x00, 0x07, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0, 1, 0, 1};  // past the end
    expect_reply(forward, 1);
    Bytes long_label = query("a.org", 1);
    long_label[12] = 64;  // labels are at most 63
    expect_reply(long_label, 1);
    Bytes status = query("a.org", 1);
    status[2] = 0x10;  // opcode 2 (STATUS)
    expect_reply(status, 4);
    Bytes with_answer = query("a.org", 1);
    with_answer[7] = 1;  // ancount 1 in a query, no record
    expect_reply(with_answer, 1);
}

TEST_CASE("random bytes never crash the parser and never make a query with a bad name") {
    std::mt19937 rng(11);
    for (int i = 0; i < 20000; ++i) {
        Bytes wire(12 + rng() % 80);
        for (auto& b : wire) b = static_cast<std::uint8_t>(rng());
        if (i % 2 == 0) {
            // Mostly-valid header: one question, query opcode.
            wire[2] = static_cast<std::uint8_t>(wire[2] & 0x01);
            wire[4] = 0;
            wire[5] = 1;
            wire[6] = wire[7] = wire[8] = wire[9] = 0;
        }
        auto p = dns::parse_query(wire);
        if (p.kind == dns::Parsed::Kind::Query && !p.query.name.empty()) {
            for (char c : p.query.name)
                CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'));
        }
        if (p.kind == dns::Parsed::Kind::Reply) CHECK((p.reply[2] & 0x80) != 0);
    }
}

TEST_CASE("answer: addresses of the asked family with the TTL and NODATA otherwise") {
    const std::vector<IpAddr> addrs = {ip("93.184.216.34"), ip("2606:2800:220:1::1"), ip("93.184.216.35")};
    auto a = parsed(query("Example.org", dns::kTypeA, 77));
    Pkt reply = read_back(dns::answer(a, addrs, 5, 512));
    CHECK(ldns_pkt_id(reply.get()) == 77);
    CHECK(ldns_pkt_qr(reply.get()));
    CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_qdcount(reply.get()) == 1);
    REQUIRE(ldns_pkt_ancount(reply.get()) == 2);
    ldns_rr* first = ldns_rr_list_rr(ldns_pkt_answer(reply.get()), 0);
    CHECK(ldns_rr_get_type(first) == LDNS_RR_TYPE_A);
    CHECK(ldns_rr_ttl(first) == 5);
    char* text = ldns_rdf2str(ldns_rr_rdf(first, 0));
    CHECK(std::string(text) == "93.184.216.34");
    free(text);
    // The question comes back as asked (case kept for 0x20 randomisation).
    char* owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(reply.get()), 0)));
    CHECK(std::string(owner) == "Example.org.");
    free(owner);

    auto aaaa = parsed(query("example.org", dns::kTypeAAAA));
    Pkt six = read_back(dns::answer(aaaa, addrs, 5, 512));
    REQUIRE(ldns_pkt_ancount(six.get()) == 1);
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(six.get()), 0)) == LDNS_RR_TYPE_AAAA);

    auto mx = parsed(query("example.org", 15));
    Pkt nodata = read_back(dns::answer(mx, addrs, 5, 512));
    CHECK(ldns_pkt_get_rcode(nodata.get()) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(nodata.get()) == 0);
}

TEST_CASE("answer: over the UDP limit only TC comes back and at most kMaxAnswers records") {
    std::vector<IpAddr> many;
    for (int i = 0; i < 100; ++i) many.push_back(ip(("2001:db8::" + std::to_string(i + 1)).c_str()));
    auto q = parsed(query("example.org", dns::kTypeAAAA));
    Pkt tc = read_back(dns::answer(q, many, 5, 512));
    CHECK(ldns_pkt_tc(tc.get()));
    CHECK(ldns_pkt_ancount(tc.get()) == 0);
    Pkt full = read_back(dns::answer(q, many, 5, 65535));
    CHECK_FALSE(ldns_pkt_tc(full.get()));
    CHECK(ldns_pkt_ancount(full.get()) == dns::kMaxAnswers);
}

TEST_CASE("failure: the rcode, and an Extended DNS Error only for EDNS clients") {
    auto plain = parsed(query("denied.example", dns::kTypeA, 9));
    Bytes wire = dns::failure(plain, dns::Rcode::NxDomain, "not allowed");
    Pkt p = read_back(wire);
    CHECK(ldns_pkt_id(p.get()) == 9);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
    CHECK(ldns_pkt_arcount(p.get()) == 0);
    CHECK(wire.size() <= dns::kClassicUdp);

    auto edns = parsed(query("denied.example", dns::kTypeA, 9, true));
    Bytes ede = dns::failure(edns, dns::Rcode::NxDomain, std::string(1000, 'x'));
    CHECK(ede.size() <= dns::kClassicUdp);  // the reason is cut to fit any client
    Pkt e = read_back(ede);
    CHECK(ldns_pkt_edns(e.get()));
    const std::string bytes(ede.begin(), ede.end());
    CHECK(bytes.find(std::string("\x00\x0f", 2)) != std::string::npos);  // option 15 (EDE)
    CHECK(bytes.find("xxxx") != std::string::npos);

    CHECK(rcode_of(dns::failure(plain, dns::Rcode::Refused)) == 5);
    CHECK(rcode_of(dns::failure(plain, dns::Rcode::ServFail)) == 2);
}
