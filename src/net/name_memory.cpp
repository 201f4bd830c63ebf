#include "net/name_memory.hpp"

#include <algorithm>

namespace mxc::net {

void NameMemory::remember(const std::string& name, const std::vector<IpAddr>& addrs) {
    std::lock_guard lock(mutex_);
    for (const IpAddr& addr : addrs) {
        auto& names = names_[addr.bytes];
        auto it = std::find(names.begin(), names.end(), name);
        if (it != names.end()) {
            // Already known: move it to the most recent place.
            std::rotate(it, it + 1, names.end());
            continue;
        }
        if (names.size() >= kMaxNamesPerAddress) names.erase(names.begin());
        names.push_back(name);
        order_.emplace_back(addr.bytes, name);
        while (order_.size() > kMaxEntries) forget_oldest();
    }
}

void NameMemory::forget_oldest() {
    auto [key, name] = std::move(order_.front());
    order_.pop_front();
    auto it = names_.find(key);
    if (it == names_.end()) return;
    auto& names = it->second;
    names.erase(std::remove(names.begin(), names.end(), name), names.end());
    if (names.empty()) names_.erase(it);
}

std::vector<std::string> NameMemory::names_for(const IpAddr& addr) const {
    std::lock_guard lock(mutex_);
    auto it = names_.find(addr.bytes);
    if (it == names_.end()) return {};
    return {it->second.rbegin(), it->second.rend()};
}

}  // namespace mxc::net
