#pragma once
// What `mxc learn` proposes from one learning run (issue 13): the rules to
// add on top of the base profile, and what it deliberately did not learn.
// Plain data; suggest() computes it, toml_writer and summary render it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "learn/observations.hpp"
#include "policy/model.hpp"

namespace mxc::learn {

// One learned [filesystem] rule.
struct PathNeed {
    std::string path;                   // absolute
    std::string rule;                   // as written: "~/.rustup", "{workspace}/out"
    std::vector<std::string> programs;  // basenames that needed it, sorted
    std::size_t observed = 0;           // recorded paths it covers
};

// A recorded path that was not learned, and why.
struct PathRefusal {
    std::string path;  // as a profile would write it
    std::string why;
    std::vector<std::string> programs;
};

// One learned [network].allow rule.
struct HostNeed {
    std::string rule;  // "example.com", "example.com:8443", "[::1]:8080"
    std::vector<std::string> programs;
    std::uint64_t count = 0;    // observations (or denials) it covers
    bool needs_review = false;  // loopback / link-local / metadata: written commented out
    bool refused = false;       // the learning run refused it (no --allow-net-learning)
};

// A variable a program is known to read that the base profile withholds.
struct EnvNeed {
    std::string name;
    std::vector<std::string> programs;
    std::string denied_by;  // the base's [env].deny pattern that removes it; "" = just not passed
};

struct Suggestion {
    std::vector<PathNeed> read;
    std::vector<PathNeed> write;
    std::vector<PathRefusal> denied;       // under a base deny rule: never learned
    std::vector<PathRefusal> not_learned;  // too broad, kept read-only by the base, unwritable name
    std::vector<std::string> layer;        // written to the throwaway layer (profile form)
    std::vector<HostNeed> hosts;
    std::vector<PathRefusal> hosts_not_learned;  // invalid names, unix sockets
    bool hosts_needed = false;                   // the base does not already allow every host
    std::vector<EnvNeed> env;
};

// What a path is on the host after the run (the host is unchanged by it).
enum class PathKind { Unknown, Missing, File, Directory };
using PathKindFn = std::function<PathKind(const std::string&)>;

struct SuggestInput {
    const Observations* observations = nullptr;
    const policy::ResolvedPolicy* base = nullptr;
    // Names of the caller's environment variables (never values).
    std::vector<std::string> env_names;
    // The host's view of a path (lstat, no links followed); null = Unknown.
    PathKindFn kind;
};

Suggestion suggest(const SuggestInput& input);

// A recorded path collapses to a directory holding at least this many of
// the recorded paths (docs/learn.md, "Collapsing").
inline constexpr std::size_t kCollapseThreshold = 4;

// "cargo", "rustc, cargo +2": basenames, at most three, then "+N".
std::string programs_text(const std::vector<std::string>& programs);

// The file name of a program path ("/usr/bin/git" -> "git").
std::string basename_of(const std::string& program);

}  // namespace mxc::learn
