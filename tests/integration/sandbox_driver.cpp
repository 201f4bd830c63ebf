// Test-only front end for mxc::platform::exec that builds a ResolvedPolicy
// from flags, so the Linux backend is tested end to end independently of the
// profile loader and the CLI:
//
//   mxc-sandbox-driver [-w DIR] [--read P] [--write P] [--deny P] [--net MODE]
//       [--pass GLOB] [--env-deny GLOB] [--set K=V] [--processes N]
//       [--open-files N] [--file-size BYTES] [--memory BYTES] [--cpu-ms N]
//       [--timeout-ms N] [--missing error] [--best-effort] [--dry-run]
//       [--tmp PATH] [--no-defaults] [--audit FILE]
//       [--learn FILE [--allow-net-learning]] [--no-early] -- CMD ARGS...
//
// --learn FILE runs mxc::platform::learn instead and writes the observations
// to FILE, one per line: "file ACCESS EXISTS PATH PROGRAM", "host ALLOWED
// PROTO HOST PORT", "layer PATH" (tab-separated).
//
// Defaults mirror a typical "default" profile: /usr /etc /bin /lib /lib64 /sbin
// readable, the workspace and {tmp} writable, PATH HOME LANG LC_* TERM passed.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/log.hpp"
#include "platform/platform.hpp"

using namespace mxc;
using policy::Access;

namespace {

policy::Origin flag(const char* name) {
    policy::Origin o;
    o.flag = name;
    return o;
}

void add_rule(policy::ResolvedPolicy& p, const std::string& path, Access a, const char* name) {
    for (auto& r : p.paths) {
        if (r.path == path) {
            auto rank = [](Access x) { return x == Access::Deny ? 3 : x == Access::Read ? 2 : 1; };
            if (rank(a) > rank(r.access)) r = {path, a, flag(name)};
            return;
        }
    }
    p.paths.push_back({path, a, flag(name)});
}

std::string cwd() {
    char buf[4096];
    return getcwd(buf, sizeof buf) != nullptr ? buf : "/";
}

}  // namespace

int main(int argc, char** argv) {
    policy::ResolvedPolicy p;
    p.name = "driver";
    p.source = "driver";
    p.workspace = cwd();
    p.home = std::getenv("HOME") != nullptr ? std::getenv("HOME") : "/";
    platform::ExecRequest req;
    req.session_id = "test" + std::to_string(getpid());
    p.tmp = "/tmp/mxc-" + req.session_id;
    bool defaults = true;
    bool early = true;
    std::string audit_path;
    std::string learn_path;
    bool allow_net_learning = false;
    std::vector<std::pair<std::string, Access>> rules;
    int i = 1;
    auto next = [&]() -> std::string {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "driver: %s needs a value\n", argv[i]);
            std::exit(2);
        }
        return argv[++i];
    };
    auto num = [&]() { return static_cast<std::uint64_t>(std::strtoull(next().c_str(), nullptr, 10)); };
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a == "-w")
            p.workspace = next();
        else if (a == "--read")
            rules.emplace_back(next(), Access::Read);
        else if (a == "--write")
            rules.emplace_back(next(), Access::Write);
        else if (a == "--deny")
            rules.emplace_back(next(), Access::Deny);
        else if (a == "--net") {
            std::string m = next();
            p.network.mode.value = m == "host"        ? policy::NetMode::Host
                                   : m == "allowlist" ? policy::NetMode::Allowlist
                                                      : policy::NetMode::None;
            p.network.mode.origin = flag("--net");
        } else if (a == "--pass")
            p.env.pass.push_back({next(), flag("--env")});
        else if (a == "--env-deny")
            p.env.deny.push_back({next(), flag("--env-deny")});
        else if (a == "--set") {
            std::string kv = next();
            auto eq = kv.find('=');
            p.env.set[kv.substr(0, eq)] = {kv.substr(eq + 1), flag("--env")};
        } else if (a == "--processes")
            p.limits.processes = {{num(), flag("--processes")}};
        else if (a == "--open-files")
            p.limits.open_files = {{num(), flag("--open-files")}};
        else if (a == "--file-size")
            p.limits.file_size_bytes = {{num(), flag("--file-size")}};
        else if (a == "--memory")
            p.limits.memory_bytes = {{num(), flag("--memory")}};
        else if (a == "--cpu-ms")
            p.limits.cpu_time = {{std::chrono::milliseconds(num()), flag("--cpu-ms")}};
        else if (a == "--timeout-ms")
            p.limits.wall_time = {{std::chrono::milliseconds(num()), flag("--timeout")}};
        else if (a == "--missing")
            p.missing = {next() == "error" ? policy::MissingPaths::Error : policy::MissingPaths::Ignore,
                         flag("--missing")};
        else if (a == "--best-effort")
            p.best_effort = {true, flag("--best-effort")};
        else if (a == "--dry-run")
            req.dry_run = true;
        else if (a == "--tmp")
            p.tmp = next();
        else if (a == "--no-defaults")
            defaults = false;
        else if (a == "--audit")
            audit_path = next();
        else if (a == "--learn")
            learn_path = next();
        else if (a == "--allow-net-learning")
            allow_net_learning = true;
        else if (a == "--no-early")
            early = false;
        else {
            std::fprintf(stderr, "driver: unknown flag %s\n", a.c_str());
            return 2;
        }
    }
    for (; i < argc; ++i) req.argv.emplace_back(argv[i]);
    // As `mxc exec` does (cmd_exec.cpp): init is cloned before the policy is
    // complete and gets its orders with the plan; --no-early clones it when
    // the plan is ready (the path of network "host" and learning runs).
    if (early && !req.dry_run && learn_path.empty()) req.early = platform::start_early(mxc::log::verbose());
    if (defaults) {
        for (const char* r : {"/usr", "/etc", "/bin", "/lib", "/lib64", "/sbin"})
            add_rule(p, r, Access::Read, "default");
        add_rule(p, p.workspace, Access::Write, "default");
        add_rule(p, p.tmp, Access::Write, "default");
        for (const char* e : {"PATH", "HOME", "LANG", "LC_*", "TERM"})
            p.env.pass.push_back({e, flag("default")});
    }
    for (const auto& [path, access] : rules) add_rule(p, path, access, "--rule");
    // Every rule here is the driver's own, so its --missing governs them all
    // (missing is per rule: the setting of the file that wrote it).
    for (auto& rule : p.paths) rule.missing = p.missing;
    std::sort(p.paths.begin(), p.paths.end(), [](const auto& x, const auto& y) { return x.path < y.path; });
    req.cwd = cwd();

    std::unique_ptr<audit::AuditLog> log;
    if (!audit_path.empty()) {
        auto opened = audit::AuditLog::open(audit_path, req.session_id, "driver");
        if (!opened) {
            std::fprintf(stderr, "driver: %s\n", opened.error().message.c_str());
            return 125;
        }
        log = std::move(*opened);
        req.audit = log.get();
    }
    if (!learn_path.empty()) {
        learn::Observations obs;
        const int status = platform::learn(p, req, allow_net_learning, obs);
        std::FILE* f = std::fopen(learn_path.c_str(), "w");
        if (f == nullptr) return 125;
        static constexpr const char* kAccess[] = {"read", "write", "execute"};
        for (const auto& o : obs.files) {
            std::fprintf(f, "file\t%s\t%d\t%s\t%s\n", kAccess[static_cast<int>(o.access)], o.exists ? 1 : 0,
                         o.path.c_str(), o.program.c_str());
        }
        for (const auto& h : obs.hosts)
            std::fprintf(f, "host\t%d\t%s\t%s\t%u\n", h.allowed ? 1 : 0, h.proto.c_str(), h.host.c_str(),
                         static_cast<unsigned>(h.port));
        for (const auto& l : obs.written_to_layer) std::fprintf(f, "layer\t%s\n", l.c_str());
        std::fclose(f);
        return status;
    }
    return platform::exec(p, req);
}
