#pragma once
// One profile file exactly as written: every value still text (or a TOML
// integer/bool), each with the position it came from. Produced by the loader,
// consumed by the validator. No toml++ types, so tests can build one by hand.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/model.hpp"

namespace mxc::policy {

struct RawEnvSet {
    Sourced<std::string> name;  // origin is the key's position
    Sourced<std::string> value;
    bool operator==(const RawEnvSet&) const = default;
};

struct RawProfile {
    std::string file;  // display name: path as given, or "builtin:<name>"
    std::string dir;   // directory of `file` as written (base of relative extends); "" for built-ins
    bool builtin = false;
    bool empty = true;  // no key at all (comments and blank lines only)

    bool schema_written = false;  // the key exists, even if its value had the wrong type
    std::optional<Sourced<std::int64_t>> schema;
    std::optional<Sourced<std::string>> name;
    std::optional<Sourced<std::string>> description;
    std::vector<Sourced<std::string>> extends;
    std::optional<Sourced<bool>> best_effort;

    std::optional<Sourced<std::string>> agent_id;

    std::vector<Sourced<std::string>> fs_read;
    std::vector<Sourced<std::string>> fs_write;
    std::vector<Sourced<std::string>> fs_deny;
    std::optional<Sourced<std::string>> fs_missing;
    std::vector<Sourced<std::string>> fs_protect;

    std::optional<Sourced<std::string>> net_mode;
    std::vector<Sourced<std::string>> net_allow;
    std::vector<Sourced<std::string>> net_deny;
    std::vector<Sourced<std::string>> net_unix;

    std::vector<Sourced<std::string>> env_pass;
    std::vector<Sourced<std::string>> env_deny;
    std::vector<RawEnvSet> env_set;

    // Sizes keep their text; a TOML integer is stored as its decimal form
    // (bytes), so one parser (parse_size) decides what is valid.
    std::optional<Sourced<std::string>> memory;
    std::optional<Sourced<std::string>> file_size;
    std::optional<Sourced<std::int64_t>> processes;
    std::optional<Sourced<std::int64_t>> open_files;
    std::optional<Sourced<std::string>> cpu_time;
    std::optional<Sourced<std::string>> wall_time;

    std::optional<Sourced<std::string>> win_isolation;
    std::optional<Sourced<std::string>> win_desktop;
    std::optional<Sourced<bool>> win_clipboard;

    std::vector<Sourced<std::string>> seccomp_allow;

    bool audit_written = false;  // an [audit] table exists (even an empty one)
    std::optional<Sourced<std::string>> audit_sink;
    std::optional<Sourced<std::string>> audit_path;

    // Field by field: the precompiled built-ins are checked against a parse.
    bool operator==(const RawProfile&) const = default;
};

}  // namespace mxc::policy
