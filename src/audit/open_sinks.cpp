#include "audit/open_sinks.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "audit/eventlog_sink.hpp"
#include "audit/file_sink.hpp"
#include "audit/journald_sink.hpp"
#include "audit/syslog_sink.hpp"
#include "policy/writable_areas.hpp"

namespace mxc::audit {
namespace {

// Who named a sink: decides the checks and how errors name it.
struct Wanted {
    policy::AuditSettings settings;
    FileOwner owner;
    std::string what;  // "audit log", "profile [audit] sink (file:line:col)", ...
};

std::string lexical_absolute(const std::string& path, const std::string& cwd) {
    std::filesystem::path p(path);
    if (p.is_relative()) p = std::filesystem::path(cwd) / p;
    std::string out = p.lexically_normal().string();
    if (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

// The same sink named twice (a profile and the managed policy both on
// journald, --audit naming the profile's file) is written once.
std::string identity_key(const policy::AuditSettings& s) {
    std::string key = policy::to_string(s.sink.value);
    if (s.path) key += ":" + s.path->value;
    return key;
}

Status refuse_writable(const std::string& path, const policy::ResolvedPolicy& policy, const Wanted& w,
                       const char* kind) {
    const auto roots = policy::writable_area_roots(policy);
    std::optional<std::string> inside = policy::writable_area_containing(path, roots);
#ifndef _WIN32
    // A socket is reached through links (connect() follows them): check
    // where it really is, too.
    if (!inside && w.settings.sink.value == policy::AuditSink::Syslog) {
        if (char* real = ::realpath(path.c_str(), nullptr)) {
            inside = policy::writable_area_containing(real, roots);
            std::free(real);
        }
    }
#endif
    if (!inside) return {};
    return make_error("cannot open " + w.what + ": " + kind + " " + path + " lies in " + *inside +
                      ", which a sandboxed run can write, so the run could replace or read its own "
                      "audit trail: choose a path outside the workspace, the write rules and the temp "
                      "directories, e.g. under ~/.local/state/mxc/ or /var/log/mxc/");
}

Result<SinkPtr> open_one(const Wanted& w, const policy::ResolvedPolicy& policy) {
    using policy::AuditSink;
    const auto& s = w.settings;
    switch (s.sink.value) {
        case AuditSink::File: {
            if (!s.path) return make_error("cannot open " + w.what + ": the file sink needs a path");
            const std::string& path = s.path->value;
            if (w.owner != FileOwner::Caller) {
                if (path.empty() || path[0] != '/')
                    return make_error("cannot open " + w.what + ": " + path + " is not an absolute path");
                MXC_TRY(refuse_writable(path, policy, w, "file"));
            }
            return open_file_sink(path, w.owner, w.what);
        }
        case AuditSink::Syslog: {
            const std::string path = s.path ? s.path->value : kDefaultSyslogSocket;
            if (s.path) MXC_TRY(refuse_writable(path, policy, w, "socket"));
            return open_syslog_sink(path, w.what);
        }
        case AuditSink::Journald:
            return open_journald_sink(w.what);
        case AuditSink::EventLog:
            return open_eventlog_sink(w.what);
    }
    return make_error("cannot open " + w.what + ": unknown sink");
}

}  // namespace

Result<std::unique_ptr<AuditLog>> open_audit_log(const policy::ResolvedPolicy& policy,
                                                 const std::string& caller_path, const std::string& cwd,
                                                 const std::string& session) {
    std::vector<Wanted> wanted;
    if (!caller_path.empty()) {
        policy::AuditSettings s;
        s.path = policy::Sourced<std::string>{
            caller_path == "-" ? caller_path : lexical_absolute(caller_path, cwd), {}};
        wanted.push_back({std::move(s), FileOwner::Caller, "audit log"});
    }
    if (policy.audit) {
        wanted.push_back({*policy.audit, FileOwner::Profile,
                          "the profile's [audit] sink (" + policy.audit->sink.origin.describe() + ")"});
    }
    // Whatever the caller passes: an administrator's audit trail (issue 15).
    if (policy.managed_audit) {
        wanted.push_back(
            {*policy.managed_audit, FileOwner::Managed,
             "the managed policy's [audit] sink (" + policy.managed_audit->sink.origin.describe() + ")"});
    }
    if (wanted.empty()) return std::unique_ptr<AuditLog>();

    std::vector<SinkPtr> sinks;
    std::vector<std::string> opened;
    // Managed first: if it fails, nothing else was created for this run.
    for (auto it = wanted.rbegin(); it != wanted.rend(); ++it) {
        const std::string key = identity_key(it->settings);
        if (std::find(opened.begin(), opened.end(), key) != opened.end()) continue;
        auto sink = open_one(*it, policy);
        if (!sink) return sink.error();
        sinks.push_back(std::move(*sink));
        opened.push_back(key);
    }

    Identity who;
    who.session = session;
    who.agent = policy.agent_id;
    who.profile = policy.name;
    who.profile_sha256 = policy::chain_sha256(policy);
    fill_current_user(who);
    return AuditLog::create(std::move(who), std::move(sinks));
}

}  // namespace mxc::audit
