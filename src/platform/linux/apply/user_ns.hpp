#pragma once
#include <string>

#include "common/result.hpp"

namespace mxc::lnx {

// Called by the sandbox init right after clone(CLONE_NEWUSER): maps the
// caller's uid/gid to themselves, so files keep their owners and the command
// runs as the same user it would outside.
Status map_own_ids(unsigned uid, unsigned gid);
// The line of /proc/PID/{uid,gid}_map that maps `id` to itself, and only it.
std::string own_id_map(unsigned id);

}  // namespace mxc::lnx
