#pragma once
// getaddrinfo() on a few worker threads, so a slow DNS server never stalls
// the proxy's event loop. Workers start on demand (up to the maximum), not
// with the sandbox: most runs resolve nothing, and each thread made at
// launch was startup time on busy cores. Results come back through a queue; the owner polls
// fd() (an eventfd) and calls take(). Each answer also carries this host's
// interface addresses as they were right after the lookup (local_addresses.hpp),
// observed here so that the netlink round trip stays off the event loop too.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "net/ip_address.hpp"

namespace mxc::net {

// The NSS modules getaddrinfo() may dlopen() for host names: the service
// names on the "hosts:" line of nsswitch.conf's text, without the action
// items ("[NOTFOUND=return]") and without those built into glibc 2.34+
// (files, dns), in their order. Names with other characters than
// [a-z0-9_-] are left out (they name no module file).
std::vector<std::string> nss_hosts_modules(std::string_view nsswitch_conf);

// Loads those of /etc/nsswitch.conf now, which getaddrinfo() would otherwise
// load on the first lookup that reaches them. For the supervisor, before the
// sandbox exists, when LD_LIBRARY_PATH is set: a lookup during the run must
// not search a directory the sandbox can write. Returns how many loaded.
int load_hosts_modules();

class Resolver {
public:
    struct Answer {
        std::uint64_t id = 0;
        std::vector<IpAddr> addrs;  // deduplicated, in getaddrinfo() order
        std::vector<IpAddr> local;  // this host's interface addresses
        std::string error;          // set when addrs is empty (also when `local` is unknown)
        bool no_such_name = false;  // the host's resolver said the name does not exist
    };

    static Result<std::unique_ptr<Resolver>> create(int max_threads);
    ~Resolver();  // joins the workers (after any lookup in flight returns)
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    void submit(std::uint64_t id, std::string name);
    std::vector<Answer> take();  // also clears the eventfd
    [[nodiscard]] int fd() const { return event_.get(); }

private:
    Resolver(UniqueFd event, std::size_t max_workers);
    void work();

    UniqueFd event_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::pair<std::uint64_t, std::string>> jobs_;
    std::vector<Answer> done_;
    bool stopping_ = false;
    std::size_t idle_ = 0;  // workers waiting for a job
    std::size_t max_workers_;
    std::vector<std::thread> workers_;
};

}  // namespace mxc::net
