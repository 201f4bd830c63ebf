#pragma once
// [network].unix -> the broker's unix socket rules (issue 11, item 4). Pure,
// like compile_plan: the rules stay the normalised paths the policy wrote; the
// broker compares them with the path it resolved inside the sandbox's root.
#include <vector>

#include "platform/linux/plan/plan.hpp"
#include "platform/platform.hpp"
#include "policy/model.hpp"

namespace mxc::lnx {

// One rule per [network].unix entry, in policy order (first occurrence of a
// path kept by the merge). Used for modes "none" and "allowlist", where the
// sandbox has its own network namespace and connect() is brokered.
std::vector<UnixSocketRule> compile_unix_sockets(const policy::ResolvedPolicy& policy);

// The same, plus the host's resolution of each rule path when it went
// through symlinks (facts.paths, observed at launch): "/var/run/docker.sock"
// then also allows "/run/docker.sock", the path the broker resolves. A link
// inside an area a sandboxed run can write is not followed (it may have been
// planted): that rule keeps only its own path, and a Caveat in `verdicts`
// says so.
std::vector<UnixSocketRule> compile_unix_sockets(const policy::ResolvedPolicy& policy, const HostFacts& facts,
                                                 std::vector<platform::RuleVerdict>& verdicts);

// The verdict of each [network].unix entry for explain / --dry-run. With
// mode "host" nothing is brokered: every socket the filesystem rules make
// visible can be connected, with or without a rule (a Note: nothing enforces it).
std::vector<platform::RuleVerdict> unix_socket_verdicts(const policy::ResolvedPolicy& policy);

}  // namespace mxc::lnx
