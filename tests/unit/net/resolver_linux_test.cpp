// The proxy's and the DNS stub's getaddrinfo() workers start with the first
// lookup, not with the sandbox (docs/design.md "Startup budget").
#include <doctest/doctest.h>
#include <poll.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "net/resolver_linux.hpp"

namespace {

std::size_t thread_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}

// Waits for `count` answers (each lookup of "localhost" answers quickly).
std::vector<mxc::net::Resolver::Answer> wait_for(mxc::net::Resolver& r, std::size_t count) {
    std::vector<mxc::net::Resolver::Answer> all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
        pollfd p{r.fd(), POLLIN, 0};
        ::poll(&p, 1, 100);
        for (auto& a : r.take()) all.push_back(std::move(a));
    }
    return all;
}

}  // namespace

TEST_CASE("resolver: no worker thread before the first lookup and at most the maximum after") {
    const std::size_t before = thread_count();
    auto resolver = mxc::net::Resolver::create(2);
    REQUIRE(resolver.ok());
    CHECK(thread_count() == before);

    (*resolver)->submit(1, "localhost");
    auto first = wait_for(**resolver, 1);
    REQUIRE(first.size() == 1);
    CHECK(first[0].id == 1);
    CHECK(first[0].error.empty());
    CHECK(thread_count() == before + 1);

    // One idle worker takes the next lookup; a burst never exceeds the maximum.
    for (std::uint64_t id = 2; id < 12; ++id) (*resolver)->submit(id, "localhost");
    CHECK(thread_count() <= before + 2);
    CHECK(wait_for(**resolver, 10).size() == 10);
    CHECK(thread_count() <= before + 2);
}

TEST_CASE("nss_hosts_modules: the modules of the hosts line, without actions and built-ins") {
    const std::string conf =
        "# comment hosts: nothing\n"
        "passwd: files systemd\n"
        "hosts:          files mdns4_minimal [NOTFOUND=return] dns mymachines [ !UNAVAIL = return ] "
        "myhostname "
        "# trailing\n"
        "networks: files\n";
    const std::vector<std::string> expected{"mdns4_minimal", "mymachines", "myhostname"};
    CHECK(mxc::net::nss_hosts_modules(conf) == expected);
    CHECK(mxc::net::nss_hosts_modules("hosts: files dns\n").empty());
    CHECK(mxc::net::nss_hosts_modules("hosts: ../evil files\n").empty());
    CHECK(mxc::net::nss_hosts_modules("").empty());
}
