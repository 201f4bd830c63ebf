#include "platform/linux/apply/connect_broker.hpp"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <string_view>
#include <thread>

#include "net/address_decision.hpp"
#include "net/local_addresses.hpp"
#include "net/proxy_session.hpp"
#include "platform/linux/apply/notified_thread.hpp"
#include "platform/linux/apply/socket_options.hpp"
#include "platform/linux/apply/sys_error.hpp"
#include "platform/linux/apply/unix_socket_target.hpp"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace mxc::lnx {
namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_X86_64;
constexpr std::int32_t kX32Bit = 0x40000000;
#elif defined(__aarch64__)
constexpr std::uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
constexpr std::int32_t kX32Bit = 0;
#else
#error "the connect broker knows x86_64 and aarch64"
#endif

constexpr std::uint64_t kNotifyKey = 0;
constexpr std::uint64_t kStopKey = 1;

std::uint64_t netns_cookie(int fd) {
    std::uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    if (::getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) return 0;
    return cookie;
}

int socket_int(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (::getsockopt(fd, level, name, &v, &len) != 0) return -1;
    return v;
}

// Where connect() on the sandbox's own network namespace lands: its loopback
// (127/8, ::1) and the unspecified address, which Linux connects to loopback.
bool stays_in_sandbox(const net::IpAddr& a) {
    if (a.is_v4()) return (a.v4() >> 24) == 127 || a.v4() == 0;
    net::IpAddr loopback;
    loopback.bytes[15] = 1;
    return a == net::IpAddr{} || a == loopback;
}

struct InetTarget {
    net::IpAddr addr;
    std::uint16_t port = 0;
};

std::optional<InetTarget> inet_target(const sockaddr_storage& ss, socklen_t len) {
    InetTarget t;
    if (ss.ss_family == AF_INET) {
        if (len < static_cast<socklen_t>(sizeof(sockaddr_in))) return std::nullopt;
        sockaddr_in in{};
        std::memcpy(&in, &ss, sizeof in);
        t.addr = net::IpAddr::from_v4(ntohl(in.sin_addr.s_addr));
        t.port = ntohs(in.sin_port);
        return t;
    }
    if (ss.ss_family == AF_INET6) {
        // The kernel accepts the 24-byte RFC 2133 form (no scope id).
        if (len < 24) return std::nullopt;
        sockaddr_in6 in6{};
        std::memcpy(&in6, &ss, std::min<std::size_t>(len, sizeof in6));
        std::memcpy(t.addr.bytes.data(), &in6.sin6_addr, 16);
        t.port = ntohs(in6.sin6_port);
        return t;
    }
    return std::nullopt;
}

// The audit text of a failed upstream connection, worded as the proxy's.
std::string error_text(int err) {
    return net::proxy_detail::connect_error_text(net::proxy_detail::connect_error_of(err),
                                                 std::strerror(err));
}

// Whether a non-blocking connect has completed (either way), without waiting.
bool finished(int fd) {
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 0) > 0;
}

// The result of a completed non-blocking connect (consumes SO_ERROR).
int pending_error(int fd) {
    const int err = socket_int(fd, SOL_SOCKET, SO_ERROR);
    return err < 0 ? EIO : err;
}

}  // namespace

struct ConnectBroker::Impl {
    UniqueFd notify;
    UniqueFd epoll;
    UniqueFd stop_event;
    std::uint64_t sandbox_cookie = 0;
    UniqueFd unix_diag;  // NETLINK_SOCK_DIAG in the sandbox's namespace
    BrokerPlan plan;
    std::optional<net::Matcher> matcher;
    std::shared_ptr<const net::NameMemory> names;
    NetCallback on_event;
    ConnectBrokerOptions options;
    SocketOptionCopier option_copier;
    seccomp_notif_sizes sizes{};
    std::vector<unsigned char> request;
    std::vector<unsigned char> response;
    std::thread thread;

    std::vector<net::IpAddr> local;
    std::string local_error;
    std::chrono::steady_clock::time_point local_read_at{};

    // A connect the supervisor is completing for a caller.
    struct Pending {
        enum class Kind {
            Brokered,  // our host socket; install and answer when it completes
            Internal,  // the caller's own socket (sandbox namespace); answer when it completes
            Watch,     // already installed and answered (non-blocking caller): audit the outcome
        };
        Kind kind = Kind::Brokered;
        std::uint64_t id = 0;
        int target_fd = -1;
        bool cloexec = false;
        UniqueFd sock;
        audit::NetEvent event;
    };
    std::map<std::uint64_t, Pending> pending;
    std::uint64_t next_key = 2;

    void run();
    void handle(const seccomp_notif& req);
    void handle_connect(const seccomp_notif& req);
    void handle_listen(const seccomp_notif& req);
    // Connects the caller's own socket (the supervisor's copy of it) with
    // `do_connect`, which returns connect()'s result with errno set.
    void connect_internal(std::uint64_t id, UniqueFd copy, const std::function<int(int)>& do_connect);
    void connect_unix_path(const seccomp_notif& req, UniqueFd copy, std::string_view sun_path);
    void connect_brokered(std::uint64_t id, const NotifiedThread& thread, int fd, const UniqueFd& copy,
                          int domain, int protocol, const sockaddr_storage& ss, socklen_t len,
                          audit::NetEvent event);
    void complete(std::uint64_t key);

    bool still_pending(std::uint64_t id) const {
        std::uint64_t copy = id;
        return ::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &copy) == 0;
    }
    void respond(std::uint64_t id, int err) {
        std::fill(response.begin(), response.end(), 0);
        auto* r = reinterpret_cast<seccomp_notif_resp*>(response.data());
        r->id = id;
        r->error = err == 0 ? 0 : -err;
        // ENOENT: the caller is gone (killed, or interrupted by a signal).
        (void)::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_SEND, r);
    }
    bool install(std::uint64_t id, int src, int target_fd, bool cloexec) {
        seccomp_notif_addfd add{};
        add.id = id;
        add.flags = SECCOMP_ADDFD_FLAG_SETFD;
        add.srcfd = static_cast<std::uint32_t>(src);
        add.newfd = static_cast<std::uint32_t>(target_fd);
        add.newfd_flags = cloexec ? O_CLOEXEC : 0;
        return ::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0;
    }
    void emit(const audit::NetEvent& e) const {
        if (on_event) on_event(e);
    }
    bool watch(std::uint64_t key, int fd) {
        epoll_event ev{};
        ev.events = EPOLLOUT | EPOLLERR | EPOLLHUP;
        ev.data.u64 = key;
        return ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
    }
    const std::vector<net::IpAddr>* local_addresses() {
        // A new address (VPN, container bridge) must count within a second;
        // a netlink round trip per connect would halve the connect rate.
        const auto now = std::chrono::steady_clock::now();
        if (now - local_read_at > std::chrono::seconds(1)) {
            auto l = net::local_addresses();
            local_read_at = now;
            if (l) {
                local = std::move(l).value();
                local_error.clear();
            } else {
                local_error = l.error().message;
            }
        }
        return local_error.empty() ? &local : nullptr;
    }
};

ConnectBroker::ConnectBroker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConnectBroker::~ConnectBroker() {
    stop();
}

Result<std::unique_ptr<ConnectBroker>> ConnectBroker::create(
    UniqueFd notify, UniqueFd unix_diag, const BrokerPlan& plan, std::optional<net::Matcher> matcher,
    std::shared_ptr<const net::NameMemory> names, NetCallback on_event, ConnectBrokerOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->sandbox_cookie = netns_cookie(unix_diag.get());
    if (impl->sandbox_cookie == 0)
        return sys_error("connect broker: SO_NETNS_COOKIE (needs Linux 5.14) of the sandbox's socket");
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &impl->sizes) != 0)
        return sys_error("connect broker: SECCOMP_GET_NOTIF_SIZES");
    impl->request.resize(std::max<std::size_t>(impl->sizes.seccomp_notif, sizeof(seccomp_notif)));
    impl->response.resize(std::max<std::size_t>(impl->sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
    impl->notify = std::move(notify);
    impl->unix_diag = std::move(unix_diag);
    impl->plan = plan;
    impl->matcher = std::move(matcher);
    impl->names = std::move(names);
    impl->on_event = std::move(on_event);
    impl->options = std::move(options);
    impl->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    impl->stop_event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!impl->epoll.valid() || !impl->stop_event.valid()) return sys_error("connect broker: epoll/eventfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kNotifyKey;
    if (::epoll_ctl(impl->epoll.get(), EPOLL_CTL_ADD, impl->notify.get(), &ev) != 0)
        return sys_error("connect broker: epoll_ctl");
    ev.data.u64 = kStopKey;
    if (::epoll_ctl(impl->epoll.get(), EPOLL_CTL_ADD, impl->stop_event.get(), &ev) != 0)
        return sys_error("connect broker: epoll_ctl");
    return std::unique_ptr<ConnectBroker>(new ConnectBroker(std::move(impl)));
}

Status ConnectBroker::start() {
    if (impl_->thread.joinable()) return {};
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
    return {};
}

void ConnectBroker::request_stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    const std::uint64_t one = 1;
    (void)::write(impl_->stop_event.get(), &one, sizeof one);
}

void ConnectBroker::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    request_stop();
    impl_->thread.join();
    for (auto& [key, p] : impl_->pending) {
        if (p.kind != Impl::Pending::Kind::Watch) impl_->respond(p.id, ECONNABORTED);
        p.event.error = "mxc stopped before the connection completed";
        impl_->emit(p.event);
    }
    impl_->pending.clear();
}

void ConnectBroker::Impl::run() {
    epoll_event events[64];
    bool notify_open = true;
    for (;;) {
        const int n = ::epoll_wait(epoll.get(), events, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < n; ++i) {
            const std::uint64_t key = events[i].data.u64;
            if (key == kStopKey) return;
            if (key != kNotifyKey) {
                complete(key);
                continue;
            }
            if ((events[i].events & EPOLLIN) != 0) {
                std::fill(request.begin(), request.end(), 0);
                auto* req = reinterpret_cast<seccomp_notif*>(request.data());
                if (::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_RECV, req) == 0) handle(*req);
            } else if (notify_open && (events[i].events & (EPOLLHUP | EPOLLERR)) != 0) {
                // Every sandboxed process is gone; only completions remain.
                notify_open = false;
                ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, notify.get(), nullptr);
            }
        }
    }
}

void ConnectBroker::Impl::handle(const seccomp_notif& req) {
    const auto& d = req.data;
    if (d.arch != kNativeArch || (kX32Bit != 0 && (d.nr & kX32Bit) != 0)) return respond(req.id, EPERM);
    switch (d.nr) {
        case SYS_connect:
            return handle_connect(req);
        case SYS_listen:
            return handle_listen(req);
        case SYS_sendto:
        case SYS_sendmsg:
        case SYS_sendmmsg:
            // MSG_FASTOPEN opens a connection with data in the SYN; the
            // broker connects on its own, so it cannot carry that data.
            // Clients fall back to connect() (docs/design.md "Network").
            return respond(req.id, EOPNOTSUPP);
        default:
            if (options.other_calls) return options.other_calls(notify.get(), req);
            return respond(req.id, EPERM);
    }
}

void ConnectBroker::Impl::handle_listen(const seccomp_notif& req) {
    const int fd = static_cast<int>(static_cast<std::uint32_t>(req.data.args[0]));
    const int backlog = static_cast<int>(static_cast<std::uint32_t>(req.data.args[1]));
    auto thread = NotifiedThread::open(static_cast<pid_t>(req.pid));
    if (!thread) return respond(req.id, EPERM);
    auto copy = thread->dup_fd(fd);
    if (!copy) return respond(req.id, EBADF);
    if (!still_pending(req.id)) return;
    // A socket the broker connected lives in the host's namespace; once its
    // connection is closed it could otherwise listen there.
    if (netns_cookie(copy->get()) != sandbox_cookie) return respond(req.id, EPERM);
    if (::listen(copy->get(), backlog) != 0) return respond(req.id, errno);
    respond(req.id, 0);
}

void ConnectBroker::Impl::handle_connect(const seccomp_notif& req) {
    const int fd = static_cast<int>(static_cast<std::uint32_t>(req.data.args[0]));
    const std::uint64_t addr_ptr = req.data.args[1];
    const auto len = static_cast<int>(static_cast<std::uint32_t>(req.data.args[2]));
    if (len < static_cast<int>(sizeof(sa_family_t)) || len > static_cast<int>(sizeof(sockaddr_storage)))
        return respond(req.id, EINVAL);
    auto thread = NotifiedThread::open(static_cast<pid_t>(req.pid));
    if (!thread) return respond(req.id, EPERM);
    sockaddr_storage ss{};
    if (!thread->read(addr_ptr, &ss, static_cast<std::size_t>(len))) return respond(req.id, EFAULT);
    auto copy = thread->dup_fd(fd);
    if (!copy) return respond(req.id, EBADF);
    // The thread id, memory and descriptor read above belong to the caller
    // only if its call is still waiting.
    if (!still_pending(req.id)) return;
    struct stat st {};
    if (::fstat(copy->get(), &st) != 0 || !S_ISSOCK(st.st_mode)) return respond(req.id, ENOTSOCK);
    const int domain = socket_int(copy->get(), SOL_SOCKET, SO_DOMAIN);
    const int type = socket_int(copy->get(), SOL_SOCKET, SO_TYPE);
    const int protocol = socket_int(copy->get(), SOL_SOCKET, SO_PROTOCOL);
    const bool in_sandbox = netns_cookie(copy->get()) == sandbox_cookie;
    const auto slen = static_cast<socklen_t>(len);

    const bool inet = domain == AF_INET || domain == AF_INET6;
    const bool tcp = inet && type == SOCK_STREAM && (protocol == IPPROTO_TCP || protocol == 0);
    if (ss.ss_family == AF_UNIX && domain == AF_UNIX) {
        if (!in_sandbox) return respond(req.id, EPERM);
        const auto& un = reinterpret_cast<const sockaddr_un&>(ss);
        const std::string_view sun_path(un.sun_path, static_cast<std::size_t>(len) - sizeof(sa_family_t));
        // Abstract names live in the socket's own network namespace, the
        // sandbox's.
        if (sun_path.empty() || sun_path[0] == '\0') {
            return connect_internal(req.id, std::move(copy).value(), [&](int sock) {
                return ::connect(sock, reinterpret_cast<const sockaddr*>(&ss), slen);
            });
        }
        return connect_unix_path(req, std::move(copy).value(), sun_path);
    }
    if (!tcp || ss.ss_family == AF_UNSPEC) {
        // UDP, raw, other families, and AF_UNSPEC (dissolve an association):
        // in the sandbox's namespace nothing but its loopback is reachable.
        if (!in_sandbox) return respond(req.id, EPERM);
        return connect_internal(req.id, std::move(copy).value(), [&](int sock) {
            return ::connect(sock, reinterpret_cast<const sockaddr*>(&ss), slen);
        });
    }
    if (ss.ss_family != domain) return respond(req.id, EAFNOSUPPORT);
    auto target = inet_target(ss, slen);
    if (!target) return respond(req.id, EINVAL);

    audit::NetEvent event;
    event.port = target->port;
    event.proto = "tcp";
    event.via = "connect";
    net::AddressDecision decision;
    if (!matcher) {
        decision.host = net::format_ip(target->addr);
        decision.decision.why = net::Decision::Why::NoRule;
        decision.decision.detail = "network mode \"none\"";
    } else if (const auto* local_list = local_addresses(); local_list == nullptr) {
        decision.host = net::format_ip(target->addr);
        decision.decision.why = net::Decision::Why::SensitiveAddress;
        decision.decision.detail = "this host's own addresses could not be read: " + local_error;
    } else {
        const auto remembered =
            stays_in_sandbox(target->addr) ? std::vector<std::string>{} : names->names_for(target->addr);
        decision = net::decide_address(*matcher, remembered, target->addr, target->port, *local_list);
    }
    const bool own_service =
        std::find(plan.own_ports.begin(), plan.own_ports.end(), target->port) != plan.own_ports.end();
    if (stays_in_sandbox(target->addr) && (!decision.decision.allowed || own_service)) {
        // The sandbox's own loopback, unless a rule asked for the host's.
        if (!in_sandbox) return respond(req.id, EPERM);
        return connect_internal(req.id, std::move(copy).value(), [&](int sock) {
            return ::connect(sock, reinterpret_cast<const sockaddr*>(&ss), slen);
        });
    }
    event.host = decision.host;
    event.rule = decision.decision.rule;
    event.allowed = decision.decision.allowed;
    if (!event.allowed) {
        event.reason = net::denial_reason(decision.decision);
        emit(event);
        return respond(req.id, ECONNREFUSED);
    }
    connect_brokered(req.id, *thread, fd, *copy, domain, protocol, ss, slen, std::move(event));
}

void ConnectBroker::Impl::connect_unix_path(const seccomp_notif& req, UniqueFd copy,
                                            std::string_view sun_path) {
    auto target = resolve_unix_socket(static_cast<pid_t>(req.pid), sun_path);
    if (!still_pending(req.id)) return;
    auto d = decide_unix_connect(std::move(target), plan.unix_sockets, unix_diag.get());
    audit::NetEvent e;
    e.proto = "unix";
    e.via = "connect";
    e.host = d.target.path.empty() ? std::string(sun_path.substr(0, sun_path.find('\0'))) : d.target.path;
    if (!d.allowed) {
        // A path that is not there (glibc probes /var/run/nscd/socket on every
        // lookup) is the kernel's own answer, not a refusal worth a line.
        const int err = d.target.error != 0 ? d.target.error : ECONNREFUSED;
        if (err == ECONNREFUSED || err == EACCES) {
            e.allowed = false;
            e.reason = d.why;
            emit(e);
        }
        return respond(req.id, err);
    }
    const UnixSocketRule* rule = unix_socket_rule_for(d.target.path, plan.unix_sockets);
    if (rule != nullptr) {
        // Connections to the sandbox's own servers are internal, like its
        // loopback; a host socket a rule opens is audited.
        e.allowed = true;
        e.rule = rule->path;
        emit(e);
    }
    const int opath = d.target.opath.get();
    connect_internal(req.id, std::move(copy), [opath](int sock) {
        auto st = connect_unix_via_opath(sock, opath);
        return st ? 0 : -1;
    });
}

void ConnectBroker::Impl::connect_internal(std::uint64_t id, UniqueFd copy,
                                           const std::function<int(int)>& do_connect) {
    const int flags = ::fcntl(copy.get(), F_GETFL);
    const bool nonblocking = flags >= 0 && (flags & O_NONBLOCK) != 0;
    // The supervisor must never block on the sandbox's behalf: connect
    // without waiting, and answer a blocking caller when it completes.
    if (!nonblocking) ::fcntl(copy.get(), F_SETFL, flags | O_NONBLOCK);
    const int rc = do_connect(copy.get());
    const int err = rc == 0 ? 0 : errno;
    if (!nonblocking) ::fcntl(copy.get(), F_SETFL, flags);
    if (nonblocking || err != EINPROGRESS) return respond(id, err);
    // Loopback handshakes are usually over by now: answer without a round
    // through epoll.
    if (finished(copy.get())) return respond(id, pending_error(copy.get()));
    if (pending.size() >= options.max_pending) return respond(id, EAGAIN);
    const std::uint64_t key = next_key++;
    Pending p;
    p.kind = Pending::Kind::Internal;
    p.id = id;
    p.sock = std::move(copy);
    if (!watch(key, p.sock.get())) return respond(id, EAGAIN);
    pending.emplace(key, std::move(p));
}

void ConnectBroker::Impl::connect_brokered(std::uint64_t id, const NotifiedThread& thread, int fd,
                                           const UniqueFd& copy, int domain, int protocol,
                                           const sockaddr_storage& ss, socklen_t len, audit::NetEvent event) {
    if (pending.size() >= options.max_pending) {
        event.error = "too many connections in flight";
        emit(event);
        return respond(id, EAGAIN);
    }
    auto cloexec = thread.fd_cloexec(fd);
    if (!cloexec) return respond(id, EBADF);
    UniqueFd ours(::socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
    if (!ours.valid()) {
        const int err = errno;
        event.error = error_text(err);
        emit(event);
        return respond(id, err);
    }
    option_copier.copy(copy.get(), ours.get(), domain);
    const int flags = ::fcntl(copy.get(), F_GETFL);
    const bool nonblocking = flags >= 0 && (flags & O_NONBLOCK) != 0;
    const int rc = ::connect(ours.get(), reinterpret_cast<const sockaddr*>(&ss), len);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS && finished(ours.get())) err = pending_error(ours.get());
    if (err != 0 && err != EINPROGRESS) {
        event.error = error_text(err);
        emit(event);
        return respond(id, err);
    }
    if (nonblocking || err == 0) {
        if (!nonblocking) ::fcntl(ours.get(), F_SETFL, ::fcntl(ours.get(), F_GETFL) & ~O_NONBLOCK);
        if (!install(id, ours.get(), fd, *cloexec)) return;  // the caller is gone
        respond(id, err);
        if (err == 0) return emit(event);
        // Audit the outcome once the connection completes.
        const std::uint64_t key = next_key++;
        Pending p;
        p.kind = Pending::Kind::Watch;
        p.id = id;
        p.sock = std::move(ours);
        p.event = std::move(event);
        if (!watch(key, p.sock.get())) return emit(p.event);
        pending.emplace(key, std::move(p));
        return;
    }
    const std::uint64_t key = next_key++;
    Pending p;
    p.kind = Pending::Kind::Brokered;
    p.id = id;
    p.target_fd = fd;
    p.cloexec = *cloexec;
    p.sock = std::move(ours);
    p.event = std::move(event);
    if (!watch(key, p.sock.get())) return respond(id, EAGAIN);
    pending.emplace(key, std::move(p));
}

void ConnectBroker::Impl::complete(std::uint64_t key) {
    auto it = pending.find(key);
    if (it == pending.end()) return;
    Pending p = std::move(it->second);
    pending.erase(it);
    ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, p.sock.get(), nullptr);
    if (p.kind == Pending::Kind::Watch) {
        // The caller owns the connection and its error: read the state
        // without consuming SO_ERROR.
        tcp_info info{};
        socklen_t len = sizeof info;
        if (::getsockopt(p.sock.get(), IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
            info.tcpi_state != TCP_ESTABLISHED && info.tcpi_state != TCP_CLOSE_WAIT)
            p.event.error = "connection failed";
        return emit(p.event);
    }
    const int err = socket_int(p.sock.get(), SOL_SOCKET, SO_ERROR);
    if (p.kind == Pending::Kind::Internal) return respond(p.id, err < 0 ? EIO : err);
    if (err != 0) {
        p.event.error = error_text(err < 0 ? EIO : err);
        emit(p.event);
        return respond(p.id, err < 0 ? EIO : err);
    }
    ::fcntl(p.sock.get(), F_SETFL, ::fcntl(p.sock.get(), F_GETFL) & ~O_NONBLOCK);
    if (!install(p.id, p.sock.get(), p.target_fd, p.cloexec)) return;
    respond(p.id, 0);
    emit(p.event);
}

}  // namespace mxc::lnx
