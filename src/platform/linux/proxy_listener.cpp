#include "platform/linux/proxy_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "platform/linux/sys_error.hpp"

namespace mxc::lnx {

Result<ProxyChannel> make_proxy_channel() {
    int sv[2];
    // SEQPACKET: one message carries the fd, and EOF is unambiguous.
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return sys_error("socketpair for the egress proxy listener");
    return ProxyChannel{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

Status send_proxy_listener(int channel, std::uint16_t port) {
    const std::string where = "127.0.0.1:" + std::to_string(port);
    UniqueFd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock.valid()) return sys_error("egress proxy: socket(AF_INET) in the sandbox network namespace");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return sys_error("egress proxy: bind", where);
    if (::listen(sock.get(), SOMAXCONN) != 0) return sys_error("egress proxy: listen", where);

    char byte = 'L';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    const int fd = sock.get();
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ssize_t n;
    do {
        n = ::sendmsg(channel, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != 1) return sys_error("egress proxy: sendmsg(SCM_RIGHTS) of the listener " + where);
    return {};
}

Result<UniqueFd> receive_proxy_listener(int channel) {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        // CMSG_CLOEXEC: the fd must be close-on-exec from the moment it exists.
        n = ::recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error("egress proxy: recvmsg of the listener from the sandbox");
    UniqueFd received;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            received.reset(fd);
        }
    }
    if (n == 0 || !received.valid())
        return make_error("egress proxy: the sandbox closed the channel without sending its listener");
    if ((msg.msg_flags & MSG_CTRUNC) != 0) return make_error("egress proxy: listener message truncated");
    return received;
}

}  // namespace mxc::lnx
