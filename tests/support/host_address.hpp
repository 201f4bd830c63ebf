#pragma once
// This host's addresses, for tests that need a service the sandbox must not
// reach (escape tests) or must learn to reach (learn tests).
#include <string>

namespace mxc::test {

// The first IPv4 address of this host that is neither loopback nor
// link-local (e.g. eth0's), or "" when there is none.
std::string own_address();

}  // namespace mxc::test
