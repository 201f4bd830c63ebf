#include "net/dns_message_linux.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

// Last: libldns's headers define macros (bool) that break C++ headers after them.
#include <ldns/ldns.h>

namespace mxc::net::dns {
namespace {

// libldns is loaded on first use, not linked: it pulls in libssl and
// libcrypto, whose loading cost about 2 ms of CPU on every mxc start
// (scripts/bench.sh), and most runs never ask the DNS stub anything. The
// table is filled once, read-only afterwards, and never unloaded.
#define MXC_LDNS_FUNCTIONS(X)          \
    X(ldns_dname_new_frm_data)         \
    X(ldns_edns_deep_free)             \
    X(ldns_edns_new_from_data)         \
    X(ldns_edns_option_list_deep_free) \
    X(ldns_edns_option_list_new)       \
    X(ldns_edns_option_list_push)      \
    X(ldns_pkt2wire)                   \
    X(ldns_pkt_ancount)                \
    X(ldns_pkt_edns)                   \
    X(ldns_pkt_edns_udp_size)          \
    X(ldns_pkt_free)                   \
    X(ldns_pkt_get_opcode)             \
    X(ldns_pkt_new)                    \
    X(ldns_pkt_nscount)                \
    X(ldns_pkt_push_rr)                \
    X(ldns_pkt_qdcount)                \
    X(ldns_pkt_question)               \
    X(ldns_pkt_rd)                     \
    X(ldns_pkt_set_edns_option_list)   \
    X(ldns_pkt_set_edns_udp_size)      \
    X(ldns_pkt_set_id)                 \
    X(ldns_pkt_set_opcode)             \
    X(ldns_pkt_set_qr)                 \
    X(ldns_pkt_set_ra)                 \
    X(ldns_pkt_set_rcode)              \
    X(ldns_pkt_set_rd)                 \
    X(ldns_pkt_set_tc)                 \
    X(ldns_rdf_data)                   \
    X(ldns_rdf_deep_free)              \
    X(ldns_rdf_get_type)               \
    X(ldns_rdf_new_frm_data)           \
    X(ldns_rdf_size)                   \
    X(ldns_rr_free)                    \
    X(ldns_rr_get_class)               \
    X(ldns_rr_get_type)                \
    X(ldns_rr_list_rr)                 \
    X(ldns_rr_list_rr_count)           \
    X(ldns_rr_new)                     \
    X(ldns_rr_owner)                   \
    X(ldns_rr_push_rdf)                \
    X(ldns_rr_set_class)               \
    X(ldns_rr_set_owner)               \
    X(ldns_rr_set_question)            \
    X(ldns_rr_set_ttl)                 \
    X(ldns_rr_set_type)                \
    X(ldns_wire2pkt)

struct Ldns {
#define MXC_LDNS_POINTER(name) decltype(&::name) name = nullptr;
    MXC_LDNS_FUNCTIONS(MXC_LDNS_POINTER)
#undef MXC_LDNS_POINTER
    bool loaded = false;
};

const Ldns& lib() {
    static const Ldns table = [] {
        Ldns l;
        void* handle = ::dlopen(MXC_LDNS_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) return l;
        bool ok = true;
#define MXC_LDNS_LOAD(name)                                              \
    l.name = reinterpret_cast<decltype(l.name)>(::dlsym(handle, #name)); \
    ok = ok && l.name != nullptr;
        MXC_LDNS_FUNCTIONS(MXC_LDNS_LOAD)
#undef MXC_LDNS_LOAD
        l.loaded = ok;
        return l;
    }();
    return table;
}

struct PktFree {
    void operator()(ldns_pkt* p) const { lib().ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

constexpr std::size_t kHeader = 12;

std::vector<std::uint8_t> to_wire(const ldns_pkt* p) {
    std::uint8_t* buf = nullptr;
    std::size_t size = 0;
    if (lib().ldns_pkt2wire(&buf, p, &size) != LDNS_STATUS_OK || buf == nullptr) {
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
    if (!lib().loaded) return nullptr;
    Pkt p(lib().ldns_pkt_new());
    if (!p) return p;
    lib().ldns_pkt_set_id(p.get(), q.id);
    lib().ldns_pkt_set_qr(p.get(), true);
    lib().ldns_pkt_set_opcode(p.get(), LDNS_PACKET_QUERY);
    lib().ldns_pkt_set_rd(p.get(), q.rd);
    lib().ldns_pkt_set_ra(p.get(), true);
    lib().ldns_pkt_set_rcode(p.get(), static_cast<std::uint8_t>(rcode));
    if (!q.qname.empty()) {
        ldns_rr* question = lib().ldns_rr_new();
        ldns_rdf* owner =
            lib().ldns_dname_new_frm_data(static_cast<std::uint16_t>(q.qname.size()), q.qname.data());
        if (question == nullptr || owner == nullptr) {
            lib().ldns_rr_free(question);
            lib().ldns_rdf_deep_free(owner);
            return nullptr;
        }
        lib().ldns_rr_set_owner(question, owner);
        lib().ldns_rr_set_type(question, static_cast<ldns_rr_type>(q.qtype));
        lib().ldns_rr_set_class(question, static_cast<ldns_rr_class>(q.qclass));
        lib().ldns_rr_set_question(question, true);
        lib().ldns_pkt_push_rr(p.get(), LDNS_SECTION_QUESTION, question);
    }
    if (q.edns) lib().ldns_pkt_set_edns_udp_size(p.get(), static_cast<std::uint16_t>(kMaxUdp));
    return p;
}

std::vector<std::uint8_t> header_only(std::uint16_t id, Rcode rcode) {
    Query q;
    q.id = id;
    Pkt p = reply_to(q, rcode);
    return p ? to_wire(p.get()) : std::vector<std::uint8_t>{};
}

}  // namespace

bool load_library() {
    return lib().loaded;
}

Parsed parse_query(std::span<const std::uint8_t> wire) {
    Parsed out;
    if (wire.size() < kHeader || wire.size() > kMaxQuery) return out;
    const std::uint16_t id = static_cast<std::uint16_t>((wire[0] << 8) | wire[1]);
    if ((wire[2] & 0x80) != 0) return out;  // a response: never answer one (no loops)
    if (!lib().loaded) {
        // Without libldns: SERVFAIL, header only (QR, RA), built by hand.
        out.kind = Parsed::Kind::Reply;
        out.reply = {wire[0],
                     wire[1],
                     static_cast<std::uint8_t>(0x80 | (wire[2] & 0x01)),
                     static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(Rcode::ServFail)),
                     0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0};
        return out;
    }
    ldns_pkt* raw = nullptr;
    if (lib().ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK || raw == nullptr) {
        lib().ldns_pkt_free(raw);
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    Pkt p(raw);
    if (lib().ldns_pkt_get_opcode(p.get()) != LDNS_PACKET_QUERY) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::NotImp);
        return out;
    }
    ldns_rr_list* questions = lib().ldns_pkt_question(p.get());
    if (lib().ldns_pkt_qdcount(p.get()) != 1 || questions == nullptr ||
        lib().ldns_rr_list_rr_count(questions) != 1 || lib().ldns_pkt_ancount(p.get()) != 0 ||
        lib().ldns_pkt_nscount(p.get()) != 0) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    const ldns_rr* question = lib().ldns_rr_list_rr(questions, 0);
    const ldns_rdf* owner = lib().ldns_rr_owner(question);
    Query& q = out.query;
    q.id = id;
    q.rd = lib().ldns_pkt_rd(p.get());
    q.qtype = static_cast<std::uint16_t>(lib().ldns_rr_get_type(question));
    q.qclass = static_cast<std::uint16_t>(lib().ldns_rr_get_class(question));
    if (owner == nullptr || lib().ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
        lib().ldns_rdf_size(owner) == 0 || lib().ldns_rdf_size(owner) > 255) {
        out.kind = Parsed::Kind::Reply;
        out.reply = header_only(id, Rcode::FormErr);
        return out;
    }
    q.qname.assign(lib().ldns_rdf_data(owner), lib().ldns_rdf_data(owner) + lib().ldns_rdf_size(owner));
    q.name = host_name(q.qname.data(), q.qname.size());
    if (lib().ldns_pkt_edns(p.get())) {
        q.edns = true;
        const std::size_t announced = lib().ldns_pkt_edns_udp_size(p.get());
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
        ldns_rr* rr = lib().ldns_rr_new();
        ldns_rdf* owner =
            lib().ldns_dname_new_frm_data(static_cast<std::uint16_t>(q.qname.size()), q.qname.data());
        ldns_rdf* data = a.is_v4() ? lib().ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, a.bytes.data() + 12)
                                   : lib().ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, a.bytes.data());
        if (rr == nullptr || owner == nullptr || data == nullptr) {
            lib().ldns_rr_free(rr);
            lib().ldns_rdf_deep_free(owner);
            lib().ldns_rdf_deep_free(data);
            return {};
        }
        lib().ldns_rr_set_owner(rr, owner);
        lib().ldns_rr_set_type(rr, want_v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
        lib().ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
        lib().ldns_rr_set_ttl(rr, ttl);
        lib().ldns_rr_push_rdf(rr, data);
        lib().ldns_pkt_push_rr(p.get(), LDNS_SECTION_ANSWER, rr);
        ++count;
    }
    auto wire = to_wire(p.get());
    if (wire.size() <= limit) return wire;
    Pkt truncated = reply_to(q, Rcode::NoError);
    if (!truncated) return {};
    lib().ldns_pkt_set_tc(truncated.get(), true);
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
        ldns_edns_option_list* list = lib().ldns_edns_option_list_new();
        ldns_edns_option* ede = lib().ldns_edns_new_from_data(LDNS_EDNS_EDE, data.size(), data.data());
        if (list != nullptr && ede != nullptr && lib().ldns_edns_option_list_push(list, ede)) {
            lib().ldns_pkt_set_edns_option_list(p.get(), list);
        } else {
            lib().ldns_edns_deep_free(ede);
            lib().ldns_edns_option_list_deep_free(list);
        }
    }
    return to_wire(p.get());
}

}  // namespace mxc::net::dns
