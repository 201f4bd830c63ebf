#include <ifaddrs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "net/local_addresses.hpp"
#include "net/socket_address.hpp"

namespace mxc::net {

Result<std::vector<IpAddr>> local_addresses() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return make_error(std::string("cannot list this host's interface addresses: getifaddrs: ") +
                          std::strerror(errno));
    std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
    std::vector<IpAddr> out;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        auto a = from_socket_address(i->ifa_addr);
        if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
    }
    return out;
}

}  // namespace mxc::net
