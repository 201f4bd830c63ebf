#pragma once
// Variable expansion and lexical normalisation of profile paths.
//
// Symlinks are deliberately NOT resolved here: the policy layer is pure and
// must give the same answer on any host (check/explain run on machines where
// the paths may not exist). The applier resolves each rule's path at launch,
// and the rule applies to the resolved target.
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mxc::policy {

// Values of the variables a profile may use. Empty workspace/home/tmp means
// "unknown here" and makes a reference to it an error.
struct PathVars {
    std::string workspace;
    std::string home;
    std::string tmp;
    std::optional<std::string> profile_dir;  // nullopt for built-in profiles
};

// "{workspace}/src", "~/.ssh", "/usr" -> absolute, normalised path. Relative
// paths, unknown variables and ".." escaping a variable's directory are errors
// whose message reads "<what> (<how to fix>)".
Result<std::string> expand_path(std::string_view text, const PathVars& vars);

// Like expand_path, but a relative path is taken relative to `cwd` (CLI flags).
Result<std::string> expand_cli_path(std::string_view text, const PathVars& vars, const std::string& cwd);

// Replaces every "{name}" reference in free text (an [env].set value). Text in
// braces that is not a lower-case identifier ("{\"json\": 1}") is left alone.
Result<std::string> expand_text(std::string_view text, const PathVars& vars);

// Collapses "//", "." and ".." (never above the root) and drops a trailing
// slash. `path` must be absolute ("/..." or a Windows "C:/..." / "C:\...").
std::string normalize_path(std::string_view path);

bool is_absolute_path(std::string_view path);

// Lexical containment of normalised POSIX paths, by whole components
// ("/a/bc" is not under "/a/b"; everything but "/" is under "/").
bool is_under(std::string_view path, std::string_view dir);
bool is_same_or_under(std::string_view path, std::string_view dir);

}  // namespace mxc::policy
