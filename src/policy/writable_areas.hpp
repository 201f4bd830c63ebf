#pragma once
// Where a sandboxed run can create files that a later run's plan compiler
// will look at. A symlink found there was possibly planted by the sandbox, so
// the compilers never let a rule follow one (issue "boundary integrity").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.hpp"

namespace mxc::policy {

// Home directories that some built-in profile makes writable, relative to
// the home directory. A run under one profile can plant links there that a
// run under another profile would otherwise follow (coding-agent writes
// ~/.cache, build's write rule ~/.cache/ccache must not follow a link there).
// tests/unit/policy checks that every built-in write rule under ~ is covered.
inline constexpr std::string_view kBuiltinWritableHomeDirs[] = {
    ".cargo", ".npm", ".cache", "go/pkg/mod", ".m2/repository", ".gradle/caches",
};

// Shared temp directories: every local user and every earlier run can write.
inline constexpr std::string_view kSharedTempDirs[] = {"/tmp", "/var/tmp", "/dev/shm"};

// The roots of every area a run may have written, as absolute lexical paths:
// the workspace, this policy's write rules, the built-in writable home
// directories and the shared temp directories. Anything strictly below one
// of them is untrusted; the root itself is what the user named.
std::vector<std::string> writable_area_roots(const ResolvedPolicy& policy);

// The root in `roots` that `path` (absolute, lexically normal) is or lies
// below, or nullopt. For files mxc writes outside the sandbox (an [audit]
// sink): unlike a rule's target, the root itself is refused too, since a
// run can replace whatever sits at a writable root's name.
std::optional<std::string> writable_area_containing(std::string_view path,
                                                    const std::vector<std::string>& roots);

}  // namespace mxc::policy
