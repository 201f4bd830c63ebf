#pragma once
// Carrying a sandboxed socket's options over to the socket the broker
// connects in its place (issue 11: "socket options set before connect carry
// over"). Only options that differ from a fresh socket's are set, so the
// kernel's defaults (and sysctls) stay in charge of everything the client
// left alone.
namespace mxc::lnx {

class SocketOptionCopier {
public:
    // Reads the defaults of fresh AF_INET and AF_INET6 stream sockets.
    SocketOptionCopier();
    // Best effort: an option the kernel refuses on `to` is skipped.
    void copy(int from, int to, int domain) const;

private:
    static constexpr int kMaxOptions = 24;
    struct Value {
        int len = 0;
        unsigned char bytes[32] = {};
    };
    Value v4_[kMaxOptions];
    Value v6_[kMaxOptions];
};

}  // namespace mxc::lnx
