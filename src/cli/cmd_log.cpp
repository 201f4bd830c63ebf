// `mxc log FILE`: a readable account of each session in an audit log, its
// JSON form, a live view (--follow), or the allow rules that would have let
// the denied hosts through (--suggest: a learning mode for writing profiles).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "audit/log_reader.hpp"
#include "audit/session_summary.hpp"
#include "cli/options.hpp"
#include "cli/shell_words.hpp"
#include "common/json.hpp"
#include "common/terminal_text.hpp"
#include "learn/host_suggest.hpp"
#include "learn/toml_writer.hpp"

namespace mxc::cli {
namespace {

// Every string below comes from the log, and much of it from the sandboxed
// program (argv, host names): printed through terminal_safe so that a log
// cannot send escape sequences to the terminal of whoever reads it.
std::string safe(const std::string& s) {
    return terminal_safe(s);
}

// "example.org:443", "[::1]:8080"; a unix socket path or a name lookup
// (port 0) stands alone.
std::string host_port(const std::string& host, std::uint16_t port) {
    if (port == 0) return host;
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string human_bytes(std::uint64_t b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string human_ms(std::uint64_t ms) {
    char buf[32];
    if (ms < 1000)
        std::snprintf(buf, sizeof buf, "%llu ms", static_cast<unsigned long long>(ms));
    else if (ms < 120000)
        std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000);
    else
        std::snprintf(buf, sizeof buf, "%.1f min", static_cast<double>(ms) / 60000);
    return buf;
}

std::string exit_text(const audit::ExitEvent& e) {
    std::string s;
    if (e.reason == "timeout")
        s = "timed out (wall_time), status " + std::to_string(e.status);
    else if (e.reason == "signaled")
        s = "killed by signal " + std::to_string(e.signal) + ", status " + std::to_string(e.status);
    else if (e.reason == "parent-died")
        s = "ended because the process that started mxc died (--die-with-parent), status " +
            std::to_string(e.status);
    else if (e.reason == "limit")
        s = "stopped by a limit, status " + std::to_string(e.status);
    else
        s = "exited with status " + std::to_string(e.status);
    return s + " after " + human_ms(e.wall_ms) + ", cpu " + human_ms(e.cpu_ms) + ", peak memory " +
           human_bytes(e.max_rss_kb * 1024);
}

void print_session(const audit::SessionRecord& s) {
    std::printf("session %s%s%s\n", safe(s.session).c_str(), s.agent.empty() ? "" : "  agent ",
                safe(s.agent).c_str());
    if (s.start) {
        const auto& st = *s.start;
        std::printf("  started  %s by %s in %s (%s)\n", safe(s.started_at).c_str(), safe(st.user).c_str(),
                    safe(st.cwd).c_str(), safe(st.platform).c_str());
        std::printf("  profile  %s (sha256 %s)\n", safe(st.profile).c_str(),
                    safe(st.profile_sha256.substr(0, 12)).c_str());
        std::printf("  command  %s\n", safe(shell_words(st.argv)).c_str());
        for (const auto& w : st.warnings) std::printf("  warning  %s\n", safe(w).c_str());
    }
    auto sum = audit::summarize(s);
    if (sum.failed == 0) {
        std::printf("  network  %llu allowed, %llu denied\n", static_cast<unsigned long long>(sum.allowed),
                    static_cast<unsigned long long>(sum.denied));
    } else {
        std::printf("  network  %llu allowed (%llu failed upstream), %llu denied\n",
                    static_cast<unsigned long long>(sum.allowed), static_cast<unsigned long long>(sum.failed),
                    static_cast<unsigned long long>(sum.denied));
    }
    for (const auto& h : sum.hosts) {
        std::string target = safe(host_port(h.host, h.port));
        // "via" only where it tells something: the proxy was the only path
        // before the connect broker and the DNS stub (issue 11).
        std::string via = h.via.empty() || h.via == "proxy" ? "" : ", via " + safe(h.via);
        if (h.allowed && !h.failed) {
            std::printf("    allow  %-40s %4llux  up %s, down %s  (rule %s%s)\n", target.c_str(),
                        static_cast<unsigned long long>(h.count), human_bytes(h.bytes_up).c_str(),
                        human_bytes(h.bytes_down).c_str(), safe(h.rule).c_str(), via.c_str());
        } else if (h.allowed) {
            std::printf("    fail   %-40s %4llux  %s  (rule %s%s)\n", target.c_str(),
                        static_cast<unsigned long long>(h.count), safe(h.error).c_str(), safe(h.rule).c_str(),
                        via.c_str());
        } else {
            std::string why = h.reason.empty() ? "no allow rule" : safe(h.reason);
            if (!via.empty()) why += "  (" + via.substr(2) + ")";
            std::printf("    deny   %-40s %4llux  %s\n", target.c_str(),
                        static_cast<unsigned long long>(h.count), why.c_str());
        }
    }
    for (const auto& t : s.tamper)
        std::printf("  tamper   %s: %s (%s)\n", safe(t.path).c_str(), safe(t.what).c_str(),
                    safe(t.action).c_str());
    if (s.exit)
        std::printf("  exit     %s\n", exit_text(*s.exit).c_str());
    else
        std::printf("  exit     (no exit event: still running, or mxc was killed)\n");
}

std::string session_json(const audit::SessionRecord& s) {
    auto sum = audit::summarize(s);
    std::vector<std::string> hosts;
    for (const auto& h : sum.hosts) {
        hosts.push_back(json::Object{}
                            .field("decision", h.allowed ? "allow" : "deny")
                            .field("host", h.host)
                            .field("port", static_cast<std::int64_t>(h.port))
                            .field("rule", h.rule)
                            .field("count", h.count)
                            .field("bytes_up", h.bytes_up)
                            .field("bytes_down", h.bytes_down)
                            .field("via", h.via)
                            .field("error", h.error)
                            .field("reason", h.reason)
                            .str());
    }
    json::Object o;
    o.field("session", s.session).field("agent", s.agent).field("started", s.started_at);
    if (s.start) {
        o.field("profile", s.start->profile)
            .field("profile_sha256", s.start->profile_sha256)
            .field("argv", s.start->argv)
            .field("cwd", s.start->cwd)
            .field("user", s.start->user)
            .field("warnings", s.start->warnings);
    }
    o.field("allowed", sum.allowed)
        .field("failed", sum.failed)
        .field("denied", sum.denied)
        .raw("hosts", json::array(hosts));
    std::vector<std::string> tamper;
    for (const auto& t : s.tamper) {
        tamper.push_back(
            json::Object{}.field("path", t.path).field("what", t.what).field("action", t.action).str());
    }
    o.raw("tamper", json::array(tamper));
    if (s.exit) {
        o.raw("exit", json::Object{}
                          .field("status", s.exit->status)
                          .field("signal", s.exit->signal)
                          .field("reason", s.exit->reason)
                          .field("wall_ms", s.exit->wall_ms)
                          .field("cpu_ms", s.exit->cpu_ms)
                          .field("max_rss_kb", s.exit->max_rss_kb)
                          .str());
    }
    return o.str();
}

void print_suggestions(const std::vector<audit::SessionRecord>& sessions, bool toml) {
    std::vector<learn::PathRefusal> skipped;
    const auto rules = learn::suggest_hosts(audit::denied_destinations(sessions), nullptr, skipped);
    std::uint64_t failed = 0;
    for (const auto& s : sessions) failed += audit::summarize(s).failed;
    if (failed > 0) {
        // Allowed by a rule already: another rule would not help.
        std::printf("# %llu allowed connection(s) failed upstream (no rule is missing; see mxc log).\n",
                    static_cast<unsigned long long>(failed));
    }
    for (const auto& r : skipped)
        std::printf("# not suggested: %s: %s\n", safe(r.path).c_str(), safe(r.why).c_str());
    if (rules.empty()) {
        std::printf("# mxc log --suggest: no denied connections in %zu session(s); nothing to add.\n",
                    sessions.size());
        return;
    }
    std::printf("# Suggested by mxc log from %zu session(s): the hosts that were denied.\n", sessions.size());
    std::printf("# Review each line before adding it: every rule widens what the sandbox can reach.\n");
    if (toml) {
        // The same table `mxc learn` writes (learn/toml_writer.hpp): loopback
        // and metadata addresses stay commented out.
        std::fputs(learn::network_table(rules, "denied").c_str(), stdout);
        return;
    }
    std::printf("[network]\nmode = \"allowlist\"\nallow = [\n");
    for (const auto& r : rules) {
        std::string quoted = safe(json::quote(r.rule)) + ",";
        std::printf(
            "  %-44s # denied %llux%s\n", quoted.c_str(), static_cast<unsigned long long>(r.count),
            r.needs_review ? "; loopback/link-local/metadata address: almost never what you want" : "");
    }
    std::printf("]\n");
}

void print_live(const audit::ParsedLine& p) {
    std::string when = safe(p.ts.size() >= 19 ? p.ts.substr(11, 8) : p.ts);
    std::string sid = safe(p.session.substr(0, 8));
    if (p.start) {
        std::printf("%s %s start  %s: %s\n", when.c_str(), sid.c_str(), safe(p.start->profile).c_str(),
                    safe(shell_words(p.start->argv)).c_str());
    } else if (p.net) {
        const auto& n = *p.net;
        const char* verdict = !n.allowed ? "deny" : n.error.empty() ? "allow" : "fail";
        std::string what = safe(n.proto);
        if (!n.via.empty() && n.via != "proxy") what += ", via " + safe(n.via);
        if (!n.rule.empty()) what += ", rule " + safe(n.rule);
        std::string detail;
        if (!n.error.empty())
            detail = ": " + safe(n.error);
        else if (!n.reason.empty())
            detail = ": " + safe(n.reason);
        std::printf("%s %s %-6s %s (%s)%s\n", when.c_str(), sid.c_str(), verdict,
                    safe(host_port(n.host, n.port)).c_str(), what.c_str(), detail.c_str());
    } else if (p.exit) {
        std::printf("%s %s exit   %s\n", when.c_str(), sid.c_str(), exit_text(*p.exit).c_str());
    } else if (p.tamper) {
        std::printf("%s %s tamper %s: %s (%s)\n", when.c_str(), sid.c_str(), safe(p.tamper->path).c_str(),
                    safe(p.tamper->what).c_str(), safe(p.tamper->action).c_str());
    }
    std::fflush(stdout);
}

int follow(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "mxc: cannot open %s\n", path.c_str());
        return 1;
    }
    std::string pending;
    for (;;) {
        std::string chunk;
        char buf[65536];
        while (in.read(buf, sizeof buf) || in.gcount() > 0)
            chunk.append(buf, static_cast<std::size_t>(in.gcount()));
        in.clear();
        pending += chunk;
        std::size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if (auto p = audit::parse_line(line)) print_live(*p);
        }
        // Polling keeps this portable (no inotify on Windows); a log grows by
        // a few lines a second at most.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

}  // namespace

int run_log(const LogOptions& options) {
    if (options.follow) return follow(options.file);
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "mxc: cannot open audit log %s\n", options.file.c_str());
        return 1;
    }
    audit::LogReader reader;
    for (std::string line; std::getline(in, line);) {
        if (auto st = reader.add_line(line); !st) {
            std::fprintf(stderr, "mxc: %s:%s\n", options.file.c_str(), st.error().message.c_str());
            return 1;
        }
    }
    if (options.suggest) {
        print_suggestions(reader.sessions(), options.toml);
        return 0;
    }
    bool first = true;
    for (const auto& s : reader.sessions()) {
        if (options.json) {
            std::printf("%s\n", session_json(s).c_str());
            continue;
        }
        if (!first) std::printf("\n");
        first = false;
        print_session(s);
    }
    return 0;
}

}  // namespace mxc::cli
