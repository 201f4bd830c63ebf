#include "net/refusal_notices.hpp"

#include <cstdio>
#include <utility>

#include "common/terminal_text.hpp"
#include "net/host_rule.hpp"
#include "net/matcher.hpp"

namespace mxc::net {
namespace {

// Longer hosts are cut: the line is for a person, the audit log has it all.
constexpr std::size_t kMaxHostShown = 253;
// Dedupe keys are cut too, so each remembered key is small; two hosts that
// differ only past this length share one line.
constexpr std::size_t kMaxKey = 300;

std::string shown_host(const std::string& host) {
    if (host.size() <= kMaxHostShown) return host;
    return host.substr(0, kMaxHostShown) + "...";
}

std::string host_port(const audit::NetEvent& e) {
    std::string host = shown_host(e.host);
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return host + ":" + std::to_string(e.port);
}

std::string key_of(const audit::NetEvent& e) {
    // A refused name lookup and a refused connect to one of its ports are
    // different things to tell the user; so are unix sockets.
    std::string kind = e.via == "dns" ? "dns" : e.proto == "unix" ? "unix" : "net";
    std::string key = kind + " " + e.host.substr(0, kMaxKey) + " " + std::to_string(e.port);
    return key;
}

void write_stderr(std::string_view line) {
    (void)std::fwrite(line.data(), 1, line.size(), stderr);
    (void)std::fflush(stderr);
}

}  // namespace

std::string refusal_line(const audit::NetEvent& e, const std::string& profile_name) {
    const std::string profile = "\"" + profile_name + "\"";
    std::string line;
    if (e.proto == "unix") {
        line = "mxc: blocked unix socket " + shown_host(e.host) + " (" +
               (e.reason.empty() ? "not allowed by " + profile + "; add it to [network].unix" : e.reason) +
               ")";
        return terminal_safe(line);
    }
    const bool lookup = e.via == "dns";
    const std::string what = lookup ? "name lookup of " + shown_host(e.host) : host_port(e);
    auto target = normalize_host(e.host);
    if (!target) {
        line = "mxc: blocked " + what +
               " (invalid host: " + (e.reason.empty() ? target.error().message : e.reason) + ")";
    } else if (!e.reason.empty()) {
        // A deny rule, or a name that resolved to loopback or this host: the
        // matcher's own words (Decision::detail) name the rule or address.
        line = "mxc: blocked " + what + " (" + e.reason + ")";
    } else if (!e.rule.empty()) {
        // A denial names a rule only when a deny rule decided it; an allow
        // rule would not override that, so none is suggested.
        line = "mxc: blocked " + what + " (denied by [network].deny rule \"" + e.rule + "\")";
    } else {
        // A lookup has no port; the plain host rule covers 80 and 443.
        const std::string rule = suggest_rule(*target, lookup ? 443 : e.port);
        line = "mxc: blocked " + what + " (not allowed by " + profile + "; add \"" + rule +
               "\" to [network].allow or pass --allow-net " + rule + ")";
    }
    return terminal_safe(line);
}

RefusalNotices::RefusalNotices(std::string profile_name, bool quiet, Sink sink, std::size_t max_lines)
    : profile_name_(std::move(profile_name)),
      quiet_(quiet),
      sink_(sink ? std::move(sink) : Sink(write_stderr)),
      max_lines_(max_lines) {}

void RefusalNotices::on_event(const audit::NetEvent& e) {
    if (quiet_ || e.allowed) return;
    std::string key = key_of(e);
    std::lock_guard lock(mutex_);
    if (full_ || seen_.count(key) != 0) return;
    if (seen_.size() >= max_lines_) {
        full_ = true;
        seen_.clear();  // nothing more is printed, so nothing more is needed
        sink_(kMoreLine);
        return;
    }
    seen_.insert(std::move(key));
    sink_(refusal_line(e, profile_name_) + "\n");
}

}  // namespace mxc::net
