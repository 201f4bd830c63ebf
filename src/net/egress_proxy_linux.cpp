#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "net/egress_proxy_impl_linux.hpp"

namespace mxc::net {
namespace proxy_detail {

void set_nodelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool send_all_now(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace proxy_detail

using namespace proxy_detail;

bool EgressProxy::Impl::watch(int fd, void* tag, std::uint32_t events) {
    epoll_event ev{};
    // Edge-triggered: each fd is registered once and never modified; the
    // Readiness flags remember what the kernel last said.
    ev.events = events | EPOLLET;
    ev.data.ptr = tag;
    return ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

// Explicit removal before close: epoll forgets an fd only when its open file
// description dies, and a fork() elsewhere in the supervisor (spawning the
// sandbox) can keep it alive, which would deliver events for a freed Conn.
void EgressProxy::Impl::unwatch(UniqueFd& fd) {
    if (!fd.valid()) return;
    ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, fd.get(), nullptr);
    fd.reset();
}

Result<std::unique_ptr<EgressProxy>> EgressProxy::create(int listen_fd, Matcher matcher, NetCallback on_event,
                                                         EgressProxyOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->listener.reset(listen_fd);
    int flags = ::fcntl(listen_fd, F_GETFL);
    if (flags < 0 || ::fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return make_error(std::string("egress proxy: listener fd: ") + std::strerror(errno));
    impl->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    impl->stop_event.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!impl->epoll.valid() || !impl->stop_event.valid())
        return make_error(std::string("egress proxy: epoll/eventfd: ") + std::strerror(errno));
    impl->matcher = std::move(matcher);
    impl->on_event = std::move(on_event);
    impl->options = std::move(options);
    return std::unique_ptr<EgressProxy>(new EgressProxy(std::move(impl)));
}

EgressProxy::EgressProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EgressProxy::~EgressProxy() {
    stop();
}

Status EgressProxy::start() {
    Impl& p = *impl_;
    if (p.running) return make_error("egress proxy: already started");
    auto resolver = Resolver::create(p.options.resolver_threads);
    if (!resolver) return resolver.error();
    p.resolver = std::move(resolver).value();
    if (!p.watch(p.listener.get(), &p.listener_tag, EPOLLIN) ||
        !p.watch(p.stop_event.get(), &p.stop_tag, EPOLLIN) ||
        !p.watch(p.resolver->fd(), &p.resolver_tag, EPOLLIN))
        return make_error(std::string("egress proxy: epoll_ctl: ") + std::strerror(errno));
    p.running = true;
    p.thread = std::thread([&p] { p.loop(); });
    return {};
}

void EgressProxy::stop() {
    Impl& p = *impl_;
    if (!p.thread.joinable()) return;
    std::uint64_t one = 1;
    (void)!::write(p.stop_event.get(), &one, sizeof one);
    p.thread.join();
    p.resolver.reset();
    p.running = false;
}

void EgressProxy::Impl::loop() {
    // splice() into a socket whose peer is gone raises SIGPIPE; it must not
    // kill the supervisor. Blocking it here affects only this thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::vector<epoll_event> events(256);
    auto next_sweep = Clock::now() + std::chrono::seconds(1);
    while (true) {
        int n = ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), 250);
        if (n < 0 && errno != EINTR) break;
        bool stopping = false;
        for (int i = 0; i < n; ++i) {
            void* tag = events[static_cast<std::size_t>(i)].data.ptr;
            std::uint32_t e = events[static_cast<std::size_t>(i)].events;
            if (tag == &listener_tag) {
                accept_all();
            } else if (tag == &stop_tag) {
                stopping = true;
            } else if (tag == &resolver_tag) {
                for (auto& answer : resolver->take()) on_resolved(answer);
            } else {
                auto* ep = static_cast<Endpoint*>(tag);
                if (ep->conn->closed) continue;
                if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ep->ready.readable = true;
                if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ep->ready.writable = true;
                handle(ep);
            }
        }
        graveyard.clear();
        if (stopping) break;
        if (Clock::now() >= next_sweep) {
            sweep();
            graveyard.clear();
            next_sweep = Clock::now() + std::chrono::seconds(1);
        }
    }
    for (auto& [id, c] : conns) {
        (void)id;
        if (c->decided && !c->event_sent) emit(*c, c->req.decision.allowed);
    }
    conns.clear();
    graveyard.clear();
}

void EgressProxy::Impl::accept_all() {
    while (true) {
        int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            // Out of fds: the edge is consumed, so retry from the sweep or
            // when a connection closes rather than waiting for a new edge.
            accept_paused = errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
            return;
        }
        UniqueFd client(fd);
        if (conns.size() >= options.max_connections) continue;  // closes it
        set_nodelay(fd);
        auto c = std::make_unique<Conn>();
        c->id = next_id++;
        c->client = std::move(client);
        c->cep.conn = c.get();
        c->cep.is_client = true;
        c->uep.conn = c.get();
        c->deadline = Clock::now() + options.handshake_timeout;
        if (!watch(fd, &c->cep)) continue;
        conns.emplace(c->id, std::move(c));
    }
}

void EgressProxy::Impl::handle(Endpoint* ep) {
    Conn& c = *ep->conn;
    switch (c.phase) {
        case Phase::Handshake:
            if (ep->is_client && ep->ready.readable) handshake(c);
            break;
        case Phase::Resolving:
            break;  // client bytes wait in the socket until the relay starts
        case Phase::Connecting:
            if (!ep->is_client && ep->ready.writable) finish_connect(c);
            break;
        case Phase::Relay:
            relay(c);
            break;
        case Phase::Draining:
            if (ep->is_client) drain(c);
            break;
    }
}

void EgressProxy::Impl::close_conn(Conn& c) {
    if (c.closed) return;
    c.closed = true;
    if (c.decided && !c.event_sent) emit(c, c.req.decision.allowed);
    auto it = conns.find(c.id);
    if (it == conns.end()) return;
    std::unique_ptr<Conn> owned = std::move(it->second);
    conns.erase(it);
    // Closing the fds now removes them from epoll; the object itself lives
    // until the end of the batch, since later events may still point at it.
    owned->up = Direction{};
    owned->down = Direction{};
    unwatch(owned->client);
    unwatch(owned->upstream);
    graveyard.push_back(std::move(owned));
    if (accept_paused) {
        accept_paused = false;
        accept_all();
    }
}

void EgressProxy::Impl::sweep() {
    auto now = Clock::now();
    std::vector<Conn*> expired;
    for (auto& [id, c] : conns) {
        (void)id;
        if (c->phase != Phase::Relay && now >= c->deadline) expired.push_back(c.get());
    }
    for (Conn* c : expired) {
        if (c->closed) continue;
        switch (c->phase) {
            case Phase::Connecting:
                fail(*c, timeout_reply(c->req, false));
                break;
            case Phase::Resolving:
                c->decided = true;
                fail(*c, timeout_reply(c->req, true));
                break;
            default:
                close_conn(*c);
                break;
        }
    }
    if (accept_paused) {
        accept_paused = false;
        accept_all();
    }
}

}  // namespace mxc::net
