#include "platform/linux/apply/sandbox_sockets.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

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
    std::array<int, kSlots> fds{};
    std::size_t count = 0;
    auto all = slots(sockets);
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (!all[i]->valid()) continue;
        header[i] = 1;
        fds[count++] = all[i]->get();
    }
    iovec iov{header.data(), header.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kSlots)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (count > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
        std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * count);
    }
    ssize_t n;
    do {
        n = ::sendmsg(channel, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(header.size()))
        return sys_error("sendmsg(SCM_RIGHTS) of the sandbox's sockets to the supervisor");
    return {};  // `sockets` goes out of scope: init keeps no copy
}

Result<SandboxSockets> receive_sandbox_sockets(int channel) {
    Header header{};
    iovec iov{header.data(), header.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kSlots)] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        // CMSG_CLOEXEC: the fds must be close-on-exec from the moment they exist.
        n = ::recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error("recvmsg of the sandbox's sockets");
    // Take ownership of whatever arrived first, so nothing leaks on error.
    std::array<UniqueFd, kSlots> received;
    std::size_t count = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < k; ++i) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (count < kSlots) {
                received[count++].reset(fd);
            } else {
                UniqueFd extra(fd);
            }
        }
    }
    if (n == 0) return make_error("the sandbox closed the channel without sending its sockets");
    if ((msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) != 0 || n != static_cast<ssize_t>(header.size()))
        return make_error("the sandbox's sockets: message truncated");
    std::size_t wanted = 0;
    for (std::uint8_t present : header) wanted += present != 0 ? 1 : 0;
    if (wanted != count) return make_error("the sandbox's sockets: header and descriptors disagree");
    SandboxSockets out;
    auto all = slots(out);
    std::size_t next = 0;
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (header[i] != 0) *all[i] = std::move(received[next++]);
    }
    return out;
}

}  // namespace mxc::lnx
