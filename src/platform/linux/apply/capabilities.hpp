#pragma once
#include "common/result.hpp"

namespace mxc::lnx {

// Empties the bounding, ambient, effective, permitted and inheritable sets.
// Even a caller mapped to uid 0 inside the user namespace then execs the
// command with no capabilities at all.
Status drop_capabilities();

}  // namespace mxc::lnx
