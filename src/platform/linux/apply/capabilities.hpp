#pragma once
#include "common/result.hpp"

namespace mxc::lnx {

// Empties the bounding, ambient, effective, permitted and inheritable sets.
// Even a caller mapped to uid 0 inside the user namespace then execs the
// command with no capabilities at all.
// `bounding_set_emptied`: empty_bounding_set() did that part already.
Status drop_capabilities(bool bounding_set_emptied = false);

// The bounding set alone: 0 or -errno. Raw system calls only, for a command
// standby (command_standby.hpp), which runs on init's memory meanwhile.
long empty_bounding_set();

}  // namespace mxc::lnx
