#include "learn/summary.hpp"

#include <cstdio>

#include "common/terminal_text.hpp"

namespace mxc::learn {
namespace {

// A learning run can touch tens of thousands of paths: each list is cut.
constexpr std::size_t kListed = 20;

std::string row(const char* what, const std::string& item, const std::string& detail) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %-6s ", what);
    std::string line = buf + terminal_safe(item);
    if (!detail.empty()) line += "  (" + terminal_safe(detail) + ")";
    return line + "\n";
}

template <class List, class Fn>
std::string listed(const List& list, Fn&& line) {
    std::string out;
    for (std::size_t i = 0; i < list.size() && i < kListed; ++i) out += line(list[i]);
    if (list.size() > kListed) out += "  ... and " + std::to_string(list.size() - kListed) + " more\n";
    return out;
}

}  // namespace

std::string summary_text(const Suggestion& s, const SummaryContext& ctx) {
    std::string out;
    if (ctx.status != 0) {
        out += "mxc learn: the command exited with status " + std::to_string(ctx.status) +
               "; the profile covers what it used until then" +
               (ctx.destination.empty() ? "" : " and was written anyway") + "\n";
    }
    const std::size_t learned = s.read.size() + s.write.size() + s.hosts.size();
    out += "mxc learn: " + std::to_string(s.read.size()) + " read rule(s), " +
           std::to_string(s.write.size()) + " write rule(s), " + std::to_string(s.hosts.size()) +
           " host(s) added on top of " + terminal_safe(ctx.base) +
           (learned == 0 ? ": the base profile already covered the run" : "") + "\n";
    out += listed(s.read, [](const PathNeed& n) {
        return row("read", n.rule,
                   programs_text(n.programs) + ", " + std::to_string(n.observed) + " path(s)");
    });
    out += listed(s.write, [](const PathNeed& n) {
        return row("write", n.rule,
                   programs_text(n.programs) + ", " + std::to_string(n.observed) + " path(s)");
    });
    out += listed(s.hosts, [](const HostNeed& h) {
        std::string d = programs_text(h.programs);
        if (h.needs_review)
            d += std::string(d.empty() ? "" : ", ") + "commented out: loopback/link-local/metadata";
        return row("host", h.rule, d);
    });
    if (!s.denied.empty()) {
        out += "mxc learn: denied by the base profile, not learned (still hidden under the new profile):\n";
        out += listed(s.denied,
                      [](const PathRefusal& r) { return row("deny", r.path, programs_text(r.programs)); });
    }
    if (!s.not_learned.empty() || !s.hosts_not_learned.empty()) {
        out += "mxc learn: used but not learned:\n";
        auto line = [](const PathRefusal& r) {
            return row("skip", r.path, (r.programs.empty() ? "" : programs_text(r.programs) + ": ") + r.why);
        };
        out += listed(s.not_learned, line);
        out += listed(s.hosts_not_learned, line);
    }
    if (!s.layer.empty()) {
        out += "mxc learn: " + std::to_string(s.layer.size()) +
               " path(s) written outside the base profile's write rules went to a throwaway layer and are "
               "gone (the host is unchanged):\n";
        out += listed(s.layer, [](const std::string& p) { return row("wrote", p, ""); });
    }
    std::size_t refused = 0;
    for (const auto& h : s.hosts) refused += h.refused ? 1 : 0;
    if (refused > 0 && !ctx.allow_net) {
        out += "mxc learn: " + std::to_string(refused) +
               " destination(s) were refused while learning, so what the command would have done next is "
               "unknown: rerun with --allow-net-learning to let them through; the command can then send data "
               "anywhere\n";
    }
    if (!s.env.empty()) {
        std::string names;
        for (const auto& e : s.env) names += (names.empty() ? "" : ", ") + e.name;
        out += "mxc learn: variables the base withholds that these programs read, commented out in [env]: " +
               terminal_safe(names) + "\n";
    }
    if (!ctx.destination.empty()) {
        out += "mxc learn: wrote " + terminal_safe(ctx.destination) + "; review it, then: mxc explain -p " +
               terminal_safe(ctx.destination) + "\n";
    }
    return out;
}

}  // namespace mxc::learn
