#include "platform/linux/apply/socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <initializer_list>

namespace mxc::lnx {
namespace {

struct Option {
    int level;
    int name;
    int family;           // 0 = both
    bool halved = false;  // the kernel doubles SO_RCVBUF / SO_SNDBUF on set
};

// What clients set before connect(): timeouts and keepalive above all (a
// blocking client relies on SO_RCVTIMEO), then latency and buffer tuning.
// Not SO_REUSEADDR / SO_REUSEPORT: the broker's socket is never bound.
constexpr Option kOptions[] = {
    {SOL_SOCKET, SO_KEEPALIVE, 0},         {SOL_SOCKET, SO_LINGER, 0},
    {SOL_SOCKET, SO_RCVBUF, 0, true},      {SOL_SOCKET, SO_SNDBUF, 0, true},
    {SOL_SOCKET, SO_RCVTIMEO, 0},          {SOL_SOCKET, SO_SNDTIMEO, 0},
    {SOL_SOCKET, SO_OOBINLINE, 0},         {SOL_SOCKET, SO_PRIORITY, 0},
    {SOL_SOCKET, SO_RCVLOWAT, 0},          {IPPROTO_TCP, TCP_NODELAY, 0},
    {IPPROTO_TCP, TCP_KEEPIDLE, 0},        {IPPROTO_TCP, TCP_KEEPINTVL, 0},
    {IPPROTO_TCP, TCP_KEEPCNT, 0},         {IPPROTO_TCP, TCP_USER_TIMEOUT, 0},
    {IPPROTO_TCP, TCP_SYNCNT, 0},          {IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0},
    {IPPROTO_TCP, TCP_MAXSEG, 0},          {IPPROTO_IP, IP_TOS, AF_INET},
    {IPPROTO_IPV6, IPV6_V6ONLY, AF_INET6}, {IPPROTO_IPV6, IPV6_TCLASS, AF_INET6},
};
static_assert(sizeof kOptions / sizeof kOptions[0] <= 24);

}  // namespace

SocketOptionCopier::SocketOptionCopier() {
    for (int family : {AF_INET, AF_INET6}) {
        Value* values = family == AF_INET ? v4_ : v6_;
        const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;  // no IPv6 here: every option then counts as set
        for (std::size_t i = 0; i < sizeof kOptions / sizeof kOptions[0]; ++i) {
            socklen_t len = sizeof values[i].bytes;
            if (::getsockopt(fd, kOptions[i].level, kOptions[i].name, values[i].bytes, &len) == 0)
                values[i].len = static_cast<int>(len);
        }
        ::close(fd);
    }
}

void SocketOptionCopier::copy(int from, int to, int domain) const {
    const Value* defaults = domain == AF_INET ? v4_ : v6_;
    for (std::size_t i = 0; i < sizeof kOptions / sizeof kOptions[0]; ++i) {
        const Option& o = kOptions[i];
        if (o.family != 0 && o.family != domain) continue;
        Value v;
        socklen_t len = sizeof v.bytes;
        if (::getsockopt(from, o.level, o.name, v.bytes, &len) != 0) continue;
        if (static_cast<int>(len) == defaults[i].len && std::memcmp(v.bytes, defaults[i].bytes, len) == 0)
            continue;
        if (o.halved && len == sizeof(int)) {
            int n = 0;
            std::memcpy(&n, v.bytes, sizeof n);
            n /= 2;
            std::memcpy(v.bytes, &n, sizeof n);
        }
        (void)::setsockopt(to, o.level, o.name, v.bytes, len);
    }
}

}  // namespace mxc::lnx
