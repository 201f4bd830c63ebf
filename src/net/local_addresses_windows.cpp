// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
// clang-format on

#include <algorithm>
#include <string>
#include <vector>

#include "net/local_addresses.hpp"
#include "net/socket_address.hpp"

namespace mxc::net {

Result<std::vector<IpAddr>> local_addresses() {
    // GetAdaptersAddresses wants a buffer it sizes itself; the list can grow
    // between calls (an adapter appears), hence the retries.
    ULONG size = 16 * 1024;
    std::vector<unsigned char> buffer;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int attempt = 0; attempt < 4 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
        buffer.resize(size);
        rc = ::GetAdaptersAddresses(
            AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, nullptr,
            reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
    }
    std::vector<IpAddr> out;
    if (rc == ERROR_NO_DATA) return out;
    if (rc != NO_ERROR)
        return make_error("cannot list this host's interface addresses: GetAdaptersAddresses failed (" +
                          std::to_string(rc) + ")");
    for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()); a != nullptr; a = a->Next) {
        for (auto* u = a->FirstUnicastAddress; u != nullptr; u = u->Next) {
            auto ip = from_socket_address(u->Address.lpSockaddr);
            if (ip && std::find(out.begin(), out.end(), *ip) == out.end()) out.push_back(*ip);
        }
    }
    return out;
}

}  // namespace mxc::net
