// TEMPORARY: replaced by host_rule.cpp (issue 4). Delete when it lands.
#include "net/host_rule.hpp"
namespace mxc::net {
bool PortSet::contains(std::uint16_t) const { return false; }
Result<HostRule> parse_host_rule(std::string_view) { return make_error("host rules not implemented"); }
}  // namespace mxc::net
