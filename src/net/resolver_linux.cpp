#include "net/resolver_linux.hpp"

#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>
#include <system_error>

#include "common/slurp.hpp"
#include "net/local_addresses.hpp"
#include "net/socket_address.hpp"

namespace mxc::net {

std::vector<std::string> nss_hosts_modules(std::string_view nsswitch_conf) {
    std::vector<std::string> out;
    std::istringstream text{std::string(nsswitch_conf)};
    std::string line;
    while (std::getline(text, line)) {
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line.compare(start, 6, "hosts:") != 0) continue;
        std::istringstream words(line.substr(start + 6));
        std::string word;
        bool in_action = false;  // "[NOTFOUND=return]", maybe split at spaces
        while (words >> word) {
            if (word.front() == '#') break;
            if (word.front() == '[') in_action = true;
            const bool action = in_action;
            if (word.back() == ']') in_action = false;
            if (action) continue;
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
            if (word == "files" || word == "dns") continue;  // built into libc
#endif
            const bool plain = std::all_of(word.begin(), word.end(), [](unsigned char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            });
            if (plain && std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
        }
    }
    return out;
}

int load_hosts_modules() {
    int loaded = 0;
    // The file name glibc asks for; kept loaded for the process's life, so
    // glibc's own dlopen() finds it loaded and searches nothing.
    for (const auto& name : nss_hosts_modules(slurp("/etc/nsswitch.conf")))
        if (::dlopen(("libnss_" + name + ".so.2").c_str(), RTLD_LAZY) != nullptr) ++loaded;
    return loaded;
}

Result<std::unique_ptr<Resolver>> Resolver::create(int max_threads) {
    UniqueFd ev(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!ev.valid()) return make_error(std::string("egress proxy: eventfd: ") + std::strerror(errno));
    const auto max_workers = static_cast<std::size_t>(std::max(1, max_threads));
    return std::unique_ptr<Resolver>(new Resolver(std::move(ev), max_workers));
}

Resolver::Resolver(UniqueFd event, std::size_t max_workers)
    : event_(std::move(event)), max_workers_(max_workers) {}

Resolver::~Resolver() {
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        workers.swap(workers_);
    }
    cv_.notify_all();
    for (auto& t : workers) t.join();
}

void Resolver::submit(std::uint64_t id, std::string name) {
    {
        std::lock_guard lock(mutex_);
        jobs_.emplace_back(id, std::move(name));
        if (idle_ < jobs_.size() && workers_.size() < max_workers_) {
            try {
                workers_.emplace_back([this] { work(); });
            } catch (const std::system_error& e) {
                // No thread: the jobs wait for a running worker; with none,
                // this one is answered with the reason instead of never.
                if (workers_.empty()) {
                    jobs_.pop_back();
                    Answer failed;
                    failed.id = id;
                    failed.error = std::string("cannot start a resolver thread: ") + e.what();
                    done_.push_back(std::move(failed));
                    std::uint64_t one = 1;
                    (void)!::write(event_.get(), &one, sizeof one);
                    return;
                }
            }
        }
    }
    cv_.notify_one();
}

std::vector<Resolver::Answer> Resolver::take() {
    std::uint64_t counter;
    while (::read(event_.get(), &counter, sizeof counter) > 0) {
    }
    std::lock_guard lock(mutex_);
    return std::exchange(done_, {});
}

void Resolver::work() {
    while (true) {
        std::pair<std::uint64_t, std::string> job;
        {
            std::unique_lock lock(mutex_);
            ++idle_;
            cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            --idle_;
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Answer answer;
        answer.id = job.first;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        // No AI_ADDRCONFIG: it hides loopback answers on hosts without other
        // addresses, and the policy, not the host config, decides families.
        addrinfo* res = nullptr;
        int rc = ::getaddrinfo(job.second.c_str(), nullptr, &hints, &res);
        if (rc != 0) {
            answer.error = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
            answer.no_such_name = rc == EAI_NONAME || rc == EAI_NODATA;
        } else {
            std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(res, &::freeaddrinfo);
            for (addrinfo* ai = res; ai; ai = ai->ai_next) {
                auto a = from_socket_address(ai->ai_addr);
                if (a && std::find(answer.addrs.begin(), answer.addrs.end(), *a) == answer.addrs.end())
                    answer.addrs.push_back(*a);
            }
            if (answer.addrs.empty()) answer.error = "no IPv4 or IPv6 address";
        }
        if (answer.error.empty()) {
            // Unknown local addresses fail the request: checking against an
            // empty list would let a name reach this host's own services.
            auto local = local_addresses();
            if (local) {
                answer.local = std::move(local).value();
            } else {
                answer.addrs.clear();
                answer.error = local.error().message;
            }
        }
        {
            std::lock_guard lock(mutex_);
            done_.push_back(std::move(answer));
        }
        std::uint64_t one = 1;
        (void)!::write(event_.get(), &one, sizeof one);
    }
}

}  // namespace mxc::net
