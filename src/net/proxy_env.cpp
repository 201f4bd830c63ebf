#include "net/proxy_env.hpp"

namespace mxc::net {

std::vector<std::pair<std::string, std::string>> proxy_env(std::uint16_t port, const std::string& no_proxy) {
    const std::string hostport = "127.0.0.1:" + std::to_string(port);
    const std::vector<std::pair<std::string, std::string>> upper = {
        {"HTTP_PROXY", "http://" + hostport},
        {"HTTPS_PROXY", "http://" + hostport},
        {"ALL_PROXY", "socks5h://" + hostport},
        {"NO_PROXY", no_proxy},
    };
    std::vector<std::pair<std::string, std::string>> out = upper;
    for (const auto& [name, value] : upper) {
        std::string lower = name;
        for (char& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out.emplace_back(lower, value);
    }
    return out;
}

}  // namespace mxc::net
