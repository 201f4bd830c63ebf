#include <cstdio>

#include "cli/managed_source.hpp"
#include "cli/options.hpp"
#include "cli/resolve_context.hpp"
#include "platform/platform.hpp"

namespace mxc::cli {
namespace {

// What `mxc exec` would refuse on this host although the profile is valid:
// rules of a file with missing = "error" whose path does not exist here
// (issue 12, item 8). Resolved like `mxc exec` from this directory, so
// {workspace} is the current directory. Returns the number of refusals.
int report_host_refusals(const std::string& profile) {
    auto ctx = make_resolve_context("", "<check>");
    if (!ctx) return 0;  // no home or cwd: nothing to compare against
    auto policy = policy::load_policy(profile, policy::CliOverrides{}, *ctx);
    if (!policy) {
        // Valid on its own, so the managed policy refused it (docs/managed.md).
        std::fprintf(stderr, "%s\n", policy.error().message.c_str());
        return 1;
    }
    int refused = 0;
    const std::vector<platform::RuleVerdict> verdicts = platform::assess(*policy);
    for (const auto& r : policy->paths) {
        if (r.protect || r.missing.value != policy::MissingPaths::Error) continue;
        const std::string text = std::string("filesystem.") + policy::to_string(r.access) + " " + r.path;
        for (const auto& v : verdicts) {
            // The only fatal verdict a path rule gets: missing = "error".
            if (v.rule != text || v.severity != platform::Severity::Fatal) continue;
            ++refused;
            std::fprintf(stderr,
                         "%s: error: %s does not exist on this host: mxc exec refuses to start (missing = "
                         "\"error\" at %s; create it, or set missing = \"ignore\" in that file)\n",
                         r.origin.describe().c_str(), text.c_str(), r.missing.origin.describe().c_str());
        }
    }
    return refused;
}

}  // namespace

int run_check(const CheckOptions& options) {
    // An untrusted or broken managed policy refuses every run on this host.
    if (auto managed = load_managed_policy(); !managed) {
        std::fprintf(stderr, "mxc: %s\n", managed.error().message.c_str());
        return 1;
    }
    bool all_valid = true;
    for (const auto& profile : options.profiles) {
        auto diagnostics = policy::check_profile(profile);
        if (diagnostics.empty()) {
            if (report_host_refusals(profile) > 0) {
                all_valid = false;
                continue;
            }
            std::printf("%s: ok\n", profile.c_str());
            continue;
        }
        all_valid = false;
        for (const auto& d : diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    return all_valid ? 0 : 1;
}

}  // namespace mxc::cli
