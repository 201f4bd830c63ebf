#include "platform/linux/apply/sandbox_sockets.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "platform/linux/apply/fd_passing.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

constexpr std::size_t kSlots = 5;
// The header: one byte per slot, 1 = an fd for it follows (in slot order).
using Header = std::array<std::uint8_t, kSlots>;

std::array<UniqueFd*, kSlots> slots(SandboxSockets& s) {
    return {&s.proxy_listener, &s.dns_udp, &s.dns_tcp, &s.connect_notify, &s.unix_diag};
}

Result<UniqueFd> loopback_socket(int type, std::uint16_t port, const char* what) {
    const std::string where = "127.0.0.1:" + std::to_string(port);
    UniqueFd sock(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (!sock.valid())
        return sys_error(std::string(what) + ": socket(AF_INET) in the sandbox network namespace");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return sys_error(std::string(what) + ": bind", where);
    if (type == SOCK_STREAM && ::listen(sock.get(), SOMAXCONN) != 0)
        return sys_error(std::string(what) + ": listen", where);
    return sock;
}

}  // namespace

Result<SocketChannel> make_socket_channel() {
    int sv[2];
    // SEQPACKET: one message carries every fd, and EOF is unambiguous.
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return sys_error("socketpair for the sandbox's sockets");
    return SocketChannel{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

Result<SandboxSockets> open_sandbox_sockets(std::optional<std::uint16_t> proxy_port) {
    SandboxSockets s;
    if (proxy_port) {
        auto l = loopback_socket(SOCK_STREAM, *proxy_port, "egress proxy");
        if (!l) return l.error();
        s.proxy_listener = std::move(l).value();
    }
    auto udp = loopback_socket(SOCK_DGRAM, kDnsPort, "DNS stub (udp)");
    if (!udp) return udp.error();
    s.dns_udp = std::move(udp).value();
    auto tcp = loopback_socket(SOCK_STREAM, kDnsPort, "DNS stub (tcp)");
    if (!tcp) return tcp.error();
    s.dns_tcp = std::move(tcp).value();
    s.unix_diag.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!s.unix_diag.valid()) return sys_error("socket(NETLINK_SOCK_DIAG) in the sandbox network namespace");
    return s;
}

Status send_sandbox_sockets(int channel, SandboxSockets sockets) {
    Header header{};
    std::vector<int> fds;
    auto all = slots(sockets);
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (!all[i]->valid()) continue;
        header[i] = 1;
        fds.push_back(all[i]->get());
    }
    // `sockets` goes out of scope after the send: init keeps no copy.
    return send_with_fds(channel, std::as_bytes(std::span(header)), fds,
                         "the sandbox's sockets to the supervisor");
}

Result<SandboxSockets> receive_sandbox_sockets(int channel) {
    Header header{};
    auto got =
        receive_with_fds(channel, std::as_writable_bytes(std::span(header)), 0, "the sandbox's sockets");
    if (!got) return got.error();
    if (got->bytes == 0) return make_error("the sandbox closed the channel without sending its sockets");
    if (got->truncated || got->bytes != static_cast<ssize_t>(header.size()))
        return make_error("the sandbox's sockets: message truncated");
    std::size_t wanted = 0;
    for (std::uint8_t present : header) wanted += present != 0 ? 1 : 0;
    if (wanted != got->fds.size())
        return make_error("the sandbox's sockets: header and descriptors disagree");
    SandboxSockets out;
    auto all = slots(out);
    std::size_t next = 0;
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (header[i] != 0) *all[i] = std::move(got->fds[next++]);
    }
    return out;
}

}  // namespace mxc::lnx
