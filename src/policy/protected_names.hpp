#pragma once
// Protected names: files and directories that host tools execute or obey
// (git hooks and config, direnv's .envrc, editor tasks, agent hooks, shell
// rc files, cargo/npm config). Wherever one exists directly under a write
// rule it stays read-only; where it is missing at launch, a run that creates
// it has it removed afterwards (see LinuxPlan::must_stay_absent). ".git" is
// pinned instead: it stays writable (the agent commits) but becomes its own
// mount point, so the run cannot rename or replace it.
#include <optional>
#include <string>
#include <string_view>

#include "policy/model.hpp"

namespace mxc::policy {

struct ProtectedName {
    std::string_view name;  // relative to a write rule
    std::string_view why;   // shown by `mxc explain`
};

// The built-in list; [filesystem].protect adds ("NAME"), removes ("!NAME")
// or clears ("!*") entries, in the order the layers are merged.
inline constexpr ProtectedName kBuiltinProtectedNames[] = {
    {".git", "pinned: the run may commit but cannot rename or replace the repository"},
    {".git/hooks", "git runs these hooks on the user's next commit, checkout or push"},
    {".git/config", "core.hooksPath, core.fsmonitor, core.sshCommand and drivers run commands"},
    {".gitmodules", "git clones what it names on the user's next submodule update"},
    {".envrc", "direnv runs it when the user enters the directory"},
    {".vscode", "VS Code runs its tasks and reads tool paths when the folder opens"},
    {".idea", "JetBrains IDEs run its run configurations and startup tasks"},
    {".devcontainer", "dev container tools run its lifecycle commands on the host"},
    {".mcp.json", "agents start the MCP servers it names"},
    {".claude/settings.json", "Claude Code runs the hooks it defines"},
    {".claude/settings.local.json", "Claude Code runs the hooks it defines"},
    {".claude/commands", "Claude Code custom commands"},
    {".claude/agents", "Claude Code subagent definitions"},
    {".codex", "Codex CLI configuration"},
    {".agents", "agent configuration read by Codex and others"},
    {".cargo/config.toml", "build.rustc-wrapper and runners run on the user's next cargo build"},
    {".cargo/config", "older name cargo still reads"},
    {".npmrc", "script-shell and node-options run on the user's next npm run"},
    {".yarnrc.yml", "yarnPath runs a script on the user's next yarn command"},
    {".pnpmfile.cjs", "pnpm runs it on the user's next install"},
    {".bashrc", "bash runs it (when the write rule is a home directory)"},
    {".bash_profile", "bash login shells run it"},
    {".bash_login", "bash login shells run it"},
    {".profile", "login shells run it"},
    {".zshrc", "zsh runs it"},
    {".zshenv", "every zsh runs it"},
    {".zprofile", "zsh login shells run it"},
    {".zlogin", "zsh login shells run it"},
    {".gitconfig", "git obeys it in every repository of the user"},
    {".config/git", "git's XDG configuration and attributes"},
    {".ripgreprc", "rg obeys it (--pre runs a command per file)"},
};

// Why an entry of [filesystem].protect is invalid, or nullopt. Valid: a
// relative path without "." / ".." components, optionally prefixed with "!",
// or "!*".
std::optional<std::string> protected_name_error(std::string_view entry);

// Adds a rule for every protected name under every write rule of `policy`
// (read-only; ".git" pinned), except under {tmp} and the built-in writable
// cache directories, where host tools do not look for them, and only where
// the run may write: never under a more specific read or deny rule. Call
// after finish_paths() (it reads the final access of each path), then call
// finish_paths() again.
void add_protected_names(ResolvedPolicy& policy);

}  // namespace mxc::policy
