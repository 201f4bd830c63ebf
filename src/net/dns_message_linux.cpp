#include "net/dns_message_linux.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>

// Last: libldns's headers define macros (bool) that break C++ headers after them.
#include <ldns/ldns.h>

namespace mxc::net::dns {
namespace {

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

constexpr std::size_t kHeader = 12;

std::vector<std::uint8_t> to_wire(const ldns_pkt* p) {
    std::uint8_t* buf = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&buf, p, &size) != LDNS_STATUS_OK || buf == nullptr) {
        std::free(buf);
        return {};
    }
    std::vector<std::uint8_t> out(buf, buf + size);
    std::free(buf);
    return out;
}

// The host-name form of a wire name, or "" when it is not one: only
// letters, digits, '-' and '_' (service labels), no empty label, not the root.
std::string host_name(const std::uint8_t* data, std::size_t size) {
    std::string name;
    std::size_t pos = 0;
    while (pos < size) {
        const std::size_t len = data[pos++];
        if (len == 0) break;
        if (len > 63 || pos + len > size) return {};
        if (!name.empty()) name += '.';
        for (std::size_t i = 0; i < len; ++i) {
            char c = static_cast<char>(data[pos + i]);
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) return {};
            name += c;
        }
        pos += len;
    }
    return name;
}

// A reply skeleton: header, and the question when there is one.
Pkt reply_to(const Query& q, Rcode rcode) {
    Pkt p(ldns_pkt_new());
    if (!p) return p;
    ldns_pkt_set_id(p.get(), q.id);
    ldns_pkt_set_qr(p.get(), true);
    ldns_pkt_set_opcode(p.get(), LDNS_PACKET_QUERY);
    ldns_pkt_set_rd(p.get(), q.rd);
    ldns_pkt_set_ra(p.get(), true);
    ldns_pkt_set_rcode(p.get(), static_cast<std::uint8_t>(rcode));
    if (!q.qname.empty()) {
        ldns_rr* question = ldns_rr_new();
        ldns_rdf* owner = ldns_dname_new_frm_data(static_cast<std::uint16_t>(q.qname.size()), q.qname.data());
        if (question == nullptr || owner == nullptr) {
            ldns_rr_free(question);
            ldns_rdf_deep_free(owner);
            return nullptr;
        }
        ldns_rr_set_owner(question, owner);
        ldns_rr_set_type(question, static_cast<ldns_rr_type>(q.qtype));
        ldns_rr_set_class(question, static_cast<ldns_rr_class>(q.qclass));
        ldns_rr_set_question(question, true);
        ldns_pkt_push_rr(p.get(), LDNS_SECTION_QUESTION, question);
    }
    if (q.edns) ldns_pkt_set_edns_udp_size(p.get(), static_cast<std::uint16_t>(kMaxUdp));
    return p;
}

std::vector<std::uint8_t> header_only(std::uint16_t id, Rcode rcode) {
    Query q;
    q.id = id;
    Pkt p = reply_to(q, rcode);
    return p ? to_wire(p.get()) : std::vector<std::uint8_t>{};
}

}  // namespace

Parsed parse_query(std::span<const std::uint8_t> wire) {
    Parsed out;
    if (wire.size() < kHeader || wire.size() > kMaxQuery) return out;
    const std::uint16_t id = static_cast<std::uint16_t>((wire[0] << 8) | wire[1]);
    if ((wire[2] & 0x80) != 0) return out;  // a response: never answer one (no loops)
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK || raw == nullptr) {
        ldns_pkt_free(raw);
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    Pkt p(raw);
    if (ldns_pkt_get_opcode(p.get()) != LDNS_PACKET_QUERY) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::NotImp);
        return out;
    }
    ldns_rr_list* questions = ldns_pkt_question(p.get());
    if (ldns_pkt_qdcount(p.get()) != 1 || questions == nullptr || ldns_rr_list_rr_count(questions) != 1 ||
        ldns_pkt_ancount(p.get()) != 0 || ldns_pkt_nscount(p.get()) != 0) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    const ldns_rr* question = ldns_rr_list_rr(questions, 0);
    const ldns_rdf* owner = ldns_rr_owner(question);
    Query& q = out.query;
    q.id = id;
    q.rd = ldns_pkt_rd(p.get());
    q.qtype = static_cast<std::uint16_t>(ldns_rr_get_type(question));
    q.qclass = static_cast<std::uint16_t>(ldns_rr_get_class(question));
    if (owner == nullptr || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME || ldns_rdf_size(owner) == 0 ||
        ldns_rdf_size(owner) > 255) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    q.qname.assign(ldns_rdf_data(owner), ldns_rdf_data(owner) + ldns_rdf_size(owner));
    q.name = host_name(q.qname.data(), q.qname.size());
    if (ldns_pkt_edns(p.get())) {
        q.edns = true;
        const std::size_t announced = ldns_pkt_edns_udp_size(p.get());
        q.udp_limit = std::clamp(announced, kClassicUdp, kMaxUdp);
    }
    out.kind = Parsed::Kind::Query;
    return out;
}

std::vector<std::uint8_t> answer(const Query& q, const std::vector<IpAddr>& addrs, std::uint32_t ttl,
                                 std::size_t limit) {
    Pkt p = reply_to(q, Rcode::NoError);
    if (!p) return {};
    const bool want_v4 = q.qtype == kTypeA;
    const bool want_v6 = q.qtype == kTypeAAAA;
    std::size_t count = 0;
    for (const IpAddr& a : addrs) {
        if (count >= kMaxAnswers) break;
        if (!(want_v4 && a.is_v4()) && !(want_v6 && !a.is_v4())) continue;
        ldns_rr* rr = ldns_rr_new();
        ldns_rdf* owner = ldns_dname_new_frm_data(static_cast<std::uint16_t>(q.qname.size()), q.qname.data());
        ldns_rdf* data = a.is_v4() ? ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, a.bytes.data() + 12)
                                   : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, a.bytes.data());
        if (rr == nullptr || owner == nullptr || data == nullptr) {
            ldns_rr_free(rr);
            ldns_rdf_deep_free(owner);
            ldns_rdf_deep_free(data);
            return {};
        }
        ldns_rr_set_owner(rr, owner);
        ldns_rr_set_type(rr, want_v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
        ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
        ldns_rr_set_ttl(rr, ttl);
        ldns_rr_push_rdf(rr, data);
        ldns_pkt_push_rr(p.get(), LDNS_SECTION_ANSWER, rr);
        ++count;
    }
    auto wire = to_wire(p.get());
    if (wire.size() <= limit) return wire;
    Pkt truncated = reply_to(q, Rcode::NoError);
    if (!truncated) return {};
    ldns_pkt_set_tc(truncated.get(), true);
    return to_wire(truncated.get());
}

std::vector<std::uint8_t> failure(const Query& q, Rcode rcode, std::string_view why) {
    Pkt p = reply_to(q, rcode);
    if (!p) return {};
    if (q.edns && !why.empty()) {
        // Small enough for any client's UDP limit with the question.
        const std::size_t text = std::min<std::size_t>(why.size(), 160);
        std::vector<std::uint8_t> data;
        data.push_back(static_cast<std::uint8_t>(kEdeBlocked >> 8));
        data.push_back(static_cast<std::uint8_t>(kEdeBlocked & 0xff));
        data.insert(data.end(), why.begin(), why.begin() + static_cast<std::ptrdiff_t>(text));
        ldns_edns_option_list* list = ldns_edns_option_list_new();
        ldns_edns_option* ede = ldns_edns_new_from_data(LDNS_EDNS_EDE, data.size(), data.data());
        if (list != nullptr && ede != nullptr && ldns_edns_option_list_push(list, ede)) {
            ldns_pkt_set_edns_option_list(p.get(), list);
        } else {
            ldns_edns_deep_free(ede);
            ldns_edns_option_list_deep_free(list);
        }
    }
    return to_wire(p.get());
}

}  // namespace mxc::net::dns
