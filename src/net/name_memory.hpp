#pragma once
// Which names the sandbox's DNS stub answered with which addresses (issue 11).
// The connect broker sees only an address; this is how it learns the name a
// client asked for, so that a connect() to an address the stub gave out for
// "example.org" is decided by the rule that allowed "example.org" (with its
// ports), and a wildcard rule works without the proxy.
//
// Shared by the stub (writer) and the broker (reader) on different threads.
// Bounded: the sandbox controls how many names it looks up, so the oldest
// entries are forgotten first once kMaxEntries is reached. Forgetting only
// narrows: a connect to a forgotten address is decided on the address alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "net/ip_address.hpp"

namespace mxc::net {

class NameMemory {
public:
    static constexpr std::size_t kMaxEntries = 16384;  // (name, address) pairs
    static constexpr std::size_t kMaxNamesPerAddress = 16;

    // `name` as the stub normalised it (lowercase, no trailing dot).
    void remember(const std::string& name, const std::vector<IpAddr>& addrs);
    // Every name remembered for `addr`, most recent first.
    [[nodiscard]] std::vector<std::string> names_for(const IpAddr& addr) const;

private:
    using Key = std::array<std::uint8_t, 16>;
    void forget_oldest();
    mutable std::mutex mutex_;
    std::map<Key, std::vector<std::string>> names_;  // most recent last
    std::deque<std::pair<Key, std::string>> order_;  // insertion order, for eviction
};

}  // namespace mxc::net
