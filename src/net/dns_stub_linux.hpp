#pragma once
// The sandbox's DNS stub (issue 11; mxc-profile(5), "Names"): the sandbox's
// resolv.conf names 127.0.0.1, where init bound a UDP socket and a TCP
// listener inside the sandbox's network namespace; the supervisor serves them
// here, from the host namespace, on one thread.
//
// A name is answered when an allow rule covers it (Matcher::decide_name):
// with the host's own resolution (getaddrinfo, so the host's /etc/hosts
// counts), on resolver threads off the event loop, keeping only addresses
// Matcher::check_address passes for one of the name's allowed ports (as the
// proxy does: a deny CIDR refuses the name, loopback / link-local / this
// host's addresses need an explicit IP rule). Every answer is remembered in
// the NameMemory the connect broker reads. Every other name is refused at
// once, without a lookup; without a matcher (network = "none") every name is.
// One audit NetEvent per refused name and run.
//
// The sandbox controls every byte: messages are parsed by libldns
// (dns_message_linux.hpp), and lookups in flight, TCP clients, their
// buffers and the audited names are bounded; a client that vanishes only
// loses its answers.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audit/audit_log.hpp"
#include "common/result.hpp"
#include "net/dns_message_linux.hpp"
#include "net/matcher.hpp"
#include "net/name_memory.hpp"

namespace mxc::net {

struct DnsStubOptions {
    std::uint32_t ttl = 5;               // seconds: short, so a changed host answer shows soon
    std::size_t max_pending = 256;       // lookups in flight; beyond: SERVFAIL at once
    std::size_t max_tcp = 32;            // TCP clients at once; beyond: closed at once
    std::size_t max_tcp_in_flight = 16;  // per TCP client
    std::chrono::milliseconds tcp_idle{10000};
    std::size_t max_audited_names = 4096;  // refused names audited per run
    int resolver_threads = 2;
    // The rcode of a refused name. NXDOMAIN: every client measured
    // (glibc, Node, Python, npm) gives up on it at once (mxc-profile(5), "Names").
    dns::Rcode refusal = dns::Rcode::NxDomain;
    std::string profile_name = "default";  // named in the Extended DNS Error text
    // `mxc learn` (issue 13): also report each allowed name once (an allowed
    // "dns" event), so a name whose lookup or connection fails is learned too.
    bool report_allowed = false;
};

class DnsStub {
public:
    using NetCallback = std::function<void(const audit::NetEvent&)>;

    // Takes ownership of `udp_fd` (bound UDP socket) and `tcp_fd` (listening
    // TCP socket). `matcher`: none refuses every name. The callback runs on
    // the stub's thread.
    static Result<std::unique_ptr<DnsStub>> create(int udp_fd, int tcp_fd, std::optional<Matcher> matcher,
                                                   std::shared_ptr<NameMemory> names, NetCallback on_event,
                                                   DnsStubOptions options = {});
    ~DnsStub();  // stop()s
    DnsStub(const DnsStub&) = delete;
    DnsStub& operator=(const DnsStub&) = delete;

    Status start();
    // Closes every client and joins the threads (a lookup in flight is
    // waited for, bounded by the host resolver's timeout). Idempotent.
    void stop();
    // Asks the thread to finish without waiting for it; stop() still joins.
    void request_stop();

    struct Impl;

private:
    explicit DnsStub(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace mxc::net
