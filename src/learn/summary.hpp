#pragma once
// The account `mxc learn` prints on stderr: what it added, what it denied and
// did not learn, what went to the throwaway layer, and which hosts it refused.
#include <string>

#include "learn/suggestion.hpp"

namespace mxc::learn {

struct SummaryContext {
    std::string base;         // the base profile as the user named it
    std::string destination;  // "out.toml", or "" for stdout
    int status = 0;           // the command's exit status (mxc's convention)
    bool allow_net = false;   // --allow-net-learning
};

// Lines of text (each "mxc learn: ..." or indented), every recorded string
// made terminal-safe.
std::string summary_text(const Suggestion& s, const SummaryContext& ctx);

}  // namespace mxc::learn
