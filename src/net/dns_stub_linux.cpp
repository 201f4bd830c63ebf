#include "net/dns_stub_linux.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.hpp"
#include "net/resolver_linux.hpp"

namespace mxc::net {
namespace {

using Clock = std::chrono::steady_clock;

// epoll tags: the fixed sockets, then TCP clients from kFirstClient up.
constexpr std::uint64_t kUdpTag = 1;
constexpr std::uint64_t kListenTag = 2;
constexpr std::uint64_t kResolverTag = 3;
constexpr std::uint64_t kStopTag = 4;
constexpr std::uint64_t kFirstClient = 16;

// Datagrams read per wakeup before the other sources get a turn.
constexpr int kUdpBatch = 64;
// A TCP client whose unsent replies exceed this is not reading them: closed.
constexpr std::size_t kMaxTcpOut = 64 * 1024;

bool set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

struct TcpClient {
    UniqueFd fd;
    std::vector<std::uint8_t> in;
    std::vector<std::uint8_t> out;
    std::size_t in_flight = 0;
    Clock::time_point deadline;
    bool wants_write = false;  // EPOLLOUT registered
};

// Where an answer goes: a UDP peer or a TCP client (by id: it may be gone).
struct Peer {
    bool tcp = false;
    std::uint64_t client = 0;
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
};

// One host lookup, and every query waiting for it: clients ask for A and
// AAAA of a name at once, and one getaddrinfo() answers both.
struct Waiter {
    dns::Query query;
    Peer peer;
};
struct Pending {
    Target target;
    std::vector<std::uint16_t> ports;
    std::vector<Waiter> waiters;
};

// Queries that may wait on one lookup; beyond: SERVFAIL at once.
constexpr std::size_t kMaxWaiters = 64;

}  // namespace

struct DnsStub::Impl {
    UniqueFd udp;
    UniqueFd listener;
    UniqueFd epoll;
    UniqueFd stop_event;
    std::optional<Matcher> matcher;
    std::shared_ptr<NameMemory> names;
    NetCallback on_event;
    DnsStubOptions options;
    std::unique_ptr<Resolver> resolver;
    std::thread thread;

    std::uint64_t next_client = kFirstClient;
    std::map<std::uint64_t, TcpClient> clients;
    std::uint64_t next_lookup = 1;
    std::unordered_map<std::uint64_t, Pending> pending;
    std::unordered_map<std::string, std::uint64_t> pending_by_name;
    std::set<std::string> audited;

    bool watch(int fd, std::uint64_t tag, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = tag;
        return ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
    }

    void loop();
    void read_udp();
    void accept_all();
    void on_client(std::uint64_t id, std::uint32_t events);
    void close_client(std::uint64_t id);
    void flush(std::uint64_t id, TcpClient& c);
    void handle(std::span<const std::uint8_t> wire, const Peer& peer);
    void on_resolved(Resolver::Answer& answer);
    void reply_resolved(const Pending& p, const Waiter& w, const Resolver::Answer& answer);
    void send(const Peer& peer, const std::vector<std::uint8_t>& reply);
    void refuse(const dns::Query& q, const Peer& peer, const Decision& d);
    void audit_refusal(const std::string& name, const Decision& d);
    int next_timeout_ms() const;
};

Result<std::unique_ptr<DnsStub>> DnsStub::create(int udp_fd, int tcp_fd, std::optional<Matcher> matcher,
                                                 std::shared_ptr<NameMemory> names, NetCallback on_event,
                                                 DnsStubOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->udp.reset(udp_fd);
    impl->listener.reset(tcp_fd);
    if (!set_nonblocking(udp_fd) || !set_nonblocking(tcp_fd))
        return make_error(std::string("DNS stub: sockets: ") + std::strerror(errno));
    impl->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    impl->stop_event.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!impl->epoll.valid() || !impl->stop_event.valid())
        return make_error(std::string("DNS stub: epoll/eventfd: ") + std::strerror(errno));
    impl->matcher = std::move(matcher);
    impl->names = names ? std::move(names) : std::make_shared<NameMemory>();
    impl->on_event = std::move(on_event);
    impl->options = std::move(options);
    return std::unique_ptr<DnsStub>(new DnsStub(std::move(impl)));
}

DnsStub::DnsStub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DnsStub::~DnsStub() {
    stop();
}

Status DnsStub::start() {
    Impl& p = *impl_;
    if (p.thread.joinable()) return make_error("DNS stub: already started");
    // No matcher (network = "none"): nothing is ever looked up.
    if (p.matcher) {
        auto resolver = Resolver::create(p.options.resolver_threads);
        if (!resolver) return resolver.error();
        p.resolver = std::move(resolver).value();
        if (!p.watch(p.resolver->fd(), kResolverTag, EPOLLIN))
            return make_error(std::string("DNS stub: epoll_ctl: ") + std::strerror(errno));
    }
    if (!p.watch(p.udp.get(), kUdpTag, EPOLLIN) || !p.watch(p.listener.get(), kListenTag, EPOLLIN) ||
        !p.watch(p.stop_event.get(), kStopTag, EPOLLIN))
        return make_error(std::string("DNS stub: epoll_ctl: ") + std::strerror(errno));
    p.thread = std::thread([&p] { p.loop(); });
    return {};
}

void DnsStub::request_stop() {
    Impl& p = *impl_;
    if (!p.thread.joinable()) return;
    std::uint64_t one = 1;
    (void)!::write(p.stop_event.get(), &one, sizeof one);
}

void DnsStub::stop() {
    Impl& p = *impl_;
    if (!p.thread.joinable()) return;
    request_stop();
    p.thread.join();
    p.resolver.reset();
    p.clients.clear();
}

void DnsStub::Impl::loop() {
    // A TCP client that closed before its answer must not kill the
    // supervisor with SIGPIPE (send() also passes MSG_NOSIGNAL).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::vector<epoll_event> events(64);
    while (true) {
        const int n =
            ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), next_timeout_ms());
        if (n < 0 && errno != EINTR) break;
        bool stopping = false;
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            const std::uint32_t e = events[static_cast<std::size_t>(i)].events;
            if (tag == kUdpTag) {
                read_udp();
            } else if (tag == kListenTag) {
                accept_all();
            } else if (tag == kResolverTag) {
                for (auto& answer : resolver->take()) on_resolved(answer);
            } else if (tag == kStopTag) {
                stopping = true;
            } else {
                on_client(tag, e);
            }
        }
        if (stopping) break;
        const auto now = Clock::now();
        std::vector<std::uint64_t> idle;
        for (const auto& [id, c] : clients)
            if (c.deadline <= now) idle.push_back(id);
        for (std::uint64_t id : idle) close_client(id);
    }
}

int DnsStub::Impl::next_timeout_ms() const {
    if (clients.empty()) return -1;
    auto first = Clock::time_point::max();
    for (const auto& [id, c] : clients) first = std::min(first, c.deadline);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(first - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left + 1, 0, 60000));
}

void DnsStub::Impl::read_udp() {
    std::uint8_t buf[dns::kMaxQuery + 1];
    for (int i = 0; i < kUdpBatch; ++i) {
        Peer peer;
        peer.addr_len = sizeof peer.addr;
        const ssize_t n = ::recvfrom(udp.get(), buf, sizeof buf, MSG_TRUNC,
                                     reinterpret_cast<sockaddr*>(&peer.addr), &peer.addr_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN, or an error queued by a vanished peer: next wakeup
        }
        if (static_cast<std::size_t>(n) > dns::kMaxQuery) continue;  // oversized: not a query
        handle(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)), peer);
    }
    // More may be queued: epoll is level-triggered and wakes us again.
}

void DnsStub::Impl::accept_all() {
    while (true) {
        UniqueFd fd(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd.valid()) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;
        }
        if (clients.size() >= options.max_tcp) continue;  // closed at once
        const std::uint64_t id = next_client++;
        if (!watch(fd.get(), id, EPOLLIN | EPOLLRDHUP)) continue;
        TcpClient c;
        c.fd = std::move(fd);
        c.deadline = Clock::now() + options.tcp_idle;
        clients.emplace(id, std::move(c));
    }
}

void DnsStub::Impl::close_client(std::uint64_t id) {
    auto it = clients.find(id);
    if (it == clients.end()) return;
    // Explicit removal: epoll forgets an fd only when its open file
    // description dies, and a fork elsewhere could keep it alive.
    ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    clients.erase(it);  // its lookups in flight find no client and are dropped
}

void DnsStub::Impl::flush(std::uint64_t id, TcpClient& c) {
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
            close_client(id);
            return;
        }
        c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    const bool want = !c.out.empty();
    if (want != c.wants_write) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0U);
        ev.data.u64 = id;
        ::epoll_ctl(epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
        c.wants_write = want;
    }
}

void DnsStub::Impl::on_client(std::uint64_t id, std::uint32_t events) {
    auto it = clients.find(id);
    if (it == clients.end()) return;
    TcpClient& c = it->second;
    if ((events & EPOLLOUT) != 0) {
        flush(id, c);
        if (clients.find(id) == clients.end()) return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) return;
    std::uint8_t buf[4096];
    const ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        close_client(id);
        return;
    }
    c.in.insert(c.in.end(), buf, buf + n);
    c.deadline = Clock::now() + options.tcp_idle;
    // Frames: a two-byte length, then the message (RFC 1035 4.2.2).
    std::size_t used = 0;
    while (c.in.size() - used >= 2) {
        const std::size_t len = (static_cast<std::size_t>(c.in[used]) << 8) | c.in[used + 1];
        if (len > dns::kMaxQuery) {
            close_client(id);
            return;
        }
        if (c.in.size() - used - 2 < len) break;
        if (c.in_flight >= options.max_tcp_in_flight) {
            close_client(id);
            return;
        }
        Peer peer;
        peer.tcp = true;
        peer.client = id;
        const std::vector<std::uint8_t> frame(c.in.begin() + static_cast<std::ptrdiff_t>(used + 2),
                                              c.in.begin() + static_cast<std::ptrdiff_t>(used + 2 + len));
        used += 2 + len;
        handle(frame, peer);
        if (clients.find(id) == clients.end()) return;
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
}

void DnsStub::Impl::send(const Peer& peer, const std::vector<std::uint8_t>& reply) {
    if (reply.empty()) return;
    if (!peer.tcp) {
        // Best effort: a full socket buffer or a vanished client loses the
        // answer, which the client's own retry covers.
        (void)::sendto(udp.get(), reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&peer.addr), peer.addr_len);
        return;
    }
    auto it = clients.find(peer.client);
    if (it == clients.end()) return;
    TcpClient& c = it->second;
    if (c.out.size() + reply.size() + 2 > kMaxTcpOut) {
        close_client(peer.client);
        return;
    }
    c.out.push_back(static_cast<std::uint8_t>(reply.size() >> 8));
    c.out.push_back(static_cast<std::uint8_t>(reply.size() & 0xff));
    c.out.insert(c.out.end(), reply.begin(), reply.end());
    flush(peer.client, c);
}

void DnsStub::Impl::audit_refusal(const std::string& name, const Decision& d) {
    if (!on_event || name.empty()) return;
    if (audited.size() >= options.max_audited_names || !audited.insert(name).second) return;
    audit::NetEvent e;
    e.allowed = false;
    e.host = name;
    e.port = 53;
    e.proto = "dns";
    e.via = "dns";
    e.rule = d.rule;
    e.reason = denial_reason(d);
    on_event(e);
}

void DnsStub::Impl::refuse(const dns::Query& q, const Peer& peer, const Decision& d) {
    audit_refusal(q.name, d);
    std::string why = "mxc: not allowed by profile \"" + options.profile_name + "\"";
    if (!d.detail.empty()) why += ": " + d.detail;
    send(peer, dns::failure(q, options.refusal, why));
}

void DnsStub::Impl::handle(std::span<const std::uint8_t> wire, const Peer& peer) {
    dns::Parsed parsed = dns::parse_query(wire);
    if (parsed.kind == dns::Parsed::Kind::Drop) return;
    if (parsed.kind == dns::Parsed::Kind::Reply) {
        send(peer, parsed.reply);
        return;
    }
    const dns::Query& q = parsed.query;
    const std::size_t limit = peer.tcp ? 65535 : q.udp_limit;
    if (q.qclass != dns::kClassIn) {
        send(peer, dns::failure(q, dns::Rcode::Refused));
        return;
    }
    if (q.name.empty()) {
        refuse(q, peer, Decision{false, Decision::Why::BadHost, "", "not a host name"});
        return;
    }
    if (!matcher) {
        refuse(q, peer, Decision{false, Decision::Why::NoRule, "", "network is \"none\""});
        return;
    }
    auto target = normalize_host(q.name);
    if (!target || target->is_ip) {
        refuse(q, peer, Decision{false, Decision::Why::BadHost, "", "not a host name"});
        return;
    }
    std::vector<std::uint16_t> ports;
    Decision d = matcher->decide_name(*target, &ports);
    if (!d.allowed) {
        refuse(q, peer, d);
        return;
    }
    if (options.report_allowed && on_event && audited.size() < options.max_audited_names &&
        audited.insert(q.name).second) {
        audit::NetEvent e;
        e.allowed = true;
        e.host = target->text();
        e.port = 53;
        e.proto = "dns";
        e.via = "dns";
        e.rule = d.rule;
        on_event(e);
    }
    if (q.qtype != dns::kTypeA && q.qtype != dns::kTypeAAAA) {
        send(peer, dns::answer(q, {}, options.ttl, limit));  // NODATA: only addresses are served
        return;
    }
    auto same = pending_by_name.find(target->name);
    Pending* p = same != pending_by_name.end() ? &pending.at(same->second) : nullptr;
    if ((p == nullptr && pending.size() >= options.max_pending) ||
        (p != nullptr && p->waiters.size() >= kMaxWaiters)) {
        send(peer, dns::failure(q, dns::Rcode::ServFail));
        return;
    }
    if (p == nullptr) {
        const std::uint64_t id = next_lookup++;
        p = &pending[id];
        p->target = std::move(target).value();
        p->ports = std::move(ports);
        pending_by_name.emplace(p->target.name, id);
        resolver->submit(id, p->target.name);
    }
    if (peer.tcp) ++clients.at(peer.client).in_flight;
    p->waiters.push_back(Waiter{q, peer});
}

void DnsStub::Impl::on_resolved(Resolver::Answer& answer) {
    auto it = pending.find(answer.id);
    if (it == pending.end()) return;
    Pending p = std::move(it->second);
    pending.erase(it);
    pending_by_name.erase(p.target.name);
    for (const Waiter& w : p.waiters) {
        if (w.peer.tcp) {
            auto c = clients.find(w.peer.client);
            if (c == clients.end()) continue;  // the client left
            --c->second.in_flight;
        }
        reply_resolved(p, w, answer);
    }
}

void DnsStub::Impl::reply_resolved(const Pending& p, const Waiter& w, const Resolver::Answer& answer) {
    const std::size_t limit = w.peer.tcp ? 65535 : w.query.udp_limit;
    if (answer.addrs.empty()) {
        // The host's own answer: no such name, or its resolver failed.
        send(w.peer,
             dns::failure(w.query, answer.no_such_name ? dns::Rcode::NxDomain : dns::Rcode::ServFail));
        return;
    }
    // Per allowed port, exactly the proxy's check_resolved: a deny rule on
    // any address refuses the name for that port; sensitive addresses are
    // skipped. An address is given out when some port passes it.
    std::vector<IpAddr> kept;
    std::optional<Decision> refused;
    for (std::uint16_t port : p.ports) {
        std::vector<IpAddr> passed;
        bool denied = false;
        for (const IpAddr& addr : answer.addrs) {
            Decision d = matcher->check_address(p.target, addr, port, answer.local);
            if (d.allowed) {
                passed.push_back(addr);
            } else {
                if (!refused || d.why == Decision::Why::DeniedByRule) refused = d;
                if (d.why == Decision::Why::DeniedByRule) denied = true;
            }
        }
        if (denied) continue;
        for (const IpAddr& a : passed)
            if (std::find(kept.begin(), kept.end(), a) == kept.end()) kept.push_back(a);
    }
    if (kept.empty()) {
        refuse(w.query, w.peer, refused.value_or(Decision{}));
        return;
    }
    std::vector<IpAddr> given;
    for (const IpAddr& a : kept) {
        if (given.size() >= dns::kMaxAnswers) break;
        if ((w.query.qtype == dns::kTypeA) == a.is_v4()) given.push_back(a);
    }
    if (!given.empty()) names->remember(p.target.name, given);
    send(w.peer, dns::answer(w.query, given, options.ttl, limit));
}

}  // namespace mxc::net
