#pragma once
// What one learning run saw (issue 13, `mxc learn`): plain data handed from
// the platform's learning sandbox to the portable suggestion code, which
// turns it into profile rules. No platform types.
#include <cstdint>
#include <string>
#include <vector>

namespace mxc::learn {

enum class FsAccess {
    Read,     // opened for reading, stat'ed, listed, or readlink'ed
    Write,    // opened for writing, created, removed, renamed, chmod'ed...
    Execute,  // execve'd (the program itself; its libraries are reads)
};

// One path the command used, as the sandbox saw it (absolute, lexically
// normalised; the learning sandbox shows the host's paths at the same place).
struct FsObservation {
    std::string path;
    FsAccess access = FsAccess::Read;
    std::string program;  // absolute path of the executable that made the call
    bool exists = true;   // false: the call failed with ENOENT (a probe)
};

// One destination the command tried to reach.
struct NetObservation {
    std::string host;  // the name it asked for when known, else the address
    std::uint16_t port = 0;
    std::string proto;     // "tcp" | "udp" | "http" | "connect" | "socks5" | "dns"
    bool allowed = false;  // --allow-net-learning let it through
    std::string program;   // "" when unknown (proxied requests)
};

struct Observations {
    std::vector<FsObservation> files;   // one entry per (path, access, program)
    std::vector<NetObservation> hosts;  // one entry per (host, port, proto)
    // Paths written outside the base profile's write rules: they went to the
    // throwaway layer and are gone; the host is unchanged.
    std::vector<std::string> written_to_layer;
};

}  // namespace mxc::learn
