#pragma once
// The pipeline behind load_policy / check_profile: follow `extends` (cycle
// and depth checked), load and validate each file once, merge the layers
// parents first, then the CLI flags, then apply path precedence.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace mxc::policy {

inline constexpr int kMaxExtendsDepth = 16;
inline constexpr std::size_t kMaxProfileBytes = 1024 * 1024;

struct Resolution {
    std::optional<ResolvedPolicy> policy;  // set only when `diagnostics` is empty
    std::vector<Diagnostic> diagnostics;
};

// `text`, when given, is the content of `name_or_path` (which is then only a
// display name and the base for relative paths).
Resolution resolve(const std::string& name_or_path, std::optional<std::string_view> text,
                   const CliOverrides& cli, const ResolveContext& ctx);

}  // namespace mxc::policy
