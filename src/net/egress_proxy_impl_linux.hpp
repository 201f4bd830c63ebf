#pragma once
// Internals of the Linux egress proxy, shared by egress_proxy_linux.cpp (the
// event loop: accept, dispatch, timeouts, teardown) and
// proxy_session_linux.cpp (one connection's state machine: request,
// decision, resolution, connect, reply, relay; the portable decisions and
// replies are in proxy_session.hpp). Not a public header.
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.hpp"
#include "net/egress_proxy.hpp"
#include "net/http_parser.hpp"
#include "net/proxy_session.hpp"
#include "net/relay_linux.hpp"
#include "net/resolver_linux.hpp"
#include "net/socks5.hpp"

namespace mxc::net {
namespace proxy_detail {

using Clock = std::chrono::steady_clock;

enum class Phase { Handshake, Resolving, Connecting, Relay, Draining };

constexpr std::chrono::milliseconds kDrainTime{2000};

struct Conn;

// What an epoll event points at: one side of one connection.
struct Endpoint {
    Conn* conn = nullptr;
    bool is_client = false;
    Readiness ready;
};

struct Conn {
    std::uint64_t id = 0;
    UniqueFd client;
    UniqueFd upstream;
    Endpoint cep;
    Endpoint uep;
    Phase phase = Phase::Handshake;
    RequestReader reader;
    Request req;
    bool decided = false;
    bool event_sent = false;
    std::size_t next_candidate = 0;
    int last_errno = 0;
    std::string prefix_up;  // bytes that came with the request, for upstream
    Direction up;
    Direction down;
    Clock::time_point deadline;
    bool closed = false;
};

void set_nodelay(int fd);
// Replies are small and go out on a fresh socket, so they fit the send
// buffer; false (a short write) means the client is broken and is closed.
bool send_all_now(int fd, std::string_view data);

}  // namespace proxy_detail

struct EgressProxy::Impl {
    using Conn = proxy_detail::Conn;
    using Endpoint = proxy_detail::Endpoint;
    using Proto = proxy_detail::Proto;
    UniqueFd listener;
    UniqueFd epoll;
    UniqueFd stop_event;
    Matcher matcher;
    NetCallback on_event;
    EgressProxyOptions options;
    std::unique_ptr<Resolver> resolver;
    std::thread thread;
    std::atomic<bool> running{false};
    std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns;
    std::vector<std::unique_ptr<Conn>> graveyard;  // freed after each epoll batch
    std::uint64_t next_id = 1;
    bool accept_paused = false;
    // Distinct addresses used as epoll tags for the non-connection fds.
    char listener_tag = 0, stop_tag = 0, resolver_tag = 0;

    void loop();
    void accept_all();
    void handle(Endpoint* ep);
    void handshake(Conn& c);
    void begin_request(Conn& c);
    void on_resolved(Resolver::Answer& a);
    void connect_next(Conn& c);
    void finish_connect(Conn& c);
    void start_relay(Conn& c);
    void relay(Conn& c);
    void deny(Conn& c);
    void fail(Conn& c, const std::string& reply);
    void drain_close(Conn& c);
    void drain(Conn& c);
    void close_conn(Conn& c);
    void emit(Conn& c, bool allowed);
    void sweep();
    bool watch(int fd, void* tag, std::uint32_t events = EPOLLIN | EPOLLOUT | EPOLLRDHUP);
    void unwatch(UniqueFd& fd);
};

}  // namespace mxc::net
