// `mxc learn -p BASE [-o OUT.toml] -- COMMAND`: run the command once in the
// learning sandbox, then write the profile that extends BASE with what it
// needed (docs/learn.md). The exit status is the command's, as for exec.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>

#include "common/private_file.hpp"
#endif

#include "audit/audit_log.hpp"
#include "audit/open_sinks.hpp"
#include "cli/options.hpp"
#include "cli/run_setup.hpp"
#include "cli/shell_words.hpp"
#include "common/exit_codes.hpp"
#include "common/terminal_text.hpp"
#include "learn/env_suggest.hpp"
#include "learn/summary.hpp"
#include "learn/toml_writer.hpp"
#include "platform/platform.hpp"

#ifndef _WIN32
extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX leaves it undeclared
#endif

namespace mxc::cli {
namespace {

std::vector<std::string> caller_env_names() {
    std::vector<std::string> entries;
#ifndef _WIN32
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) entries.emplace_back(*e);
#endif
    return learn::env_names(entries);
}

learn::PathKind host_kind(const std::string& path) {
#ifndef _WIN32
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return errno == ENOENT ? learn::PathKind::Missing : learn::PathKind::Unknown;
    if (S_ISDIR(st.st_mode)) return learn::PathKind::Directory;
    if (S_ISREG(st.st_mode)) return learn::PathKind::File;
#else
    (void)path;
#endif
    return learn::PathKind::Unknown;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
#ifdef _WIN32
    tm = *std::gmtime(&now);  // NOLINT(concurrency-mt-unsafe): one thread, and no gmtime_r here
#else
    gmtime_r(&now, &tm);
#endif
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool path_exists(const std::string& path) {
#ifndef _WIN32
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
#else
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
#endif
}

// The base as `extends` must name it: a built-in by name; a file by its
// path relative to OUT's directory (extends entries are relative to the
// extending file), or absolute when OUT goes to stdout.
std::string extends_entry(const policy::ResolvedPolicy& base, const LearnOptions& o, const std::string& cwd) {
    const std::string builtin = "builtin:";
    if (base.source.rfind(builtin, 0) == 0) return base.source.substr(builtin.size());
    namespace fs = std::filesystem;
    fs::path file(o.policy.profile);
    if (file.is_relative()) file = fs::path(cwd) / file;
    file = file.lexically_normal();
    if (o.output.empty()) return file.generic_string();
    fs::path out(o.output);
    if (out.is_relative()) out = fs::path(cwd) / out;
    const fs::path out_dir = out.lexically_normal().parent_path();
    const fs::path rel = file.lexically_relative(out_dir);
    // Relative only when the two share a directory below "/": a path that
    // climbs to the root says less than the absolute one and breaks when
    // OUT is moved.
    const bool share_dir = std::distance(file.begin(), file.end()) > 1 &&
                           std::distance(out_dir.begin(), out_dir.end()) > 1 &&
                           *std::next(file.begin()) == *std::next(out_dir.begin());
    if (rel.empty() || !share_dir) return file.generic_string();
    const std::string text = rel.generic_string();
    return text.rfind("../", 0) == 0 ? text : "./" + text;
}

// Writes OUT without following a link anywhere on its path (a sandboxed run
// could have planted one where OUT goes) and only over a regular file the
// caller owns (common/private_file.hpp).
Status write_output(const std::string& path, const std::string& text) {
#ifndef _WIN32
    auto fd = open_private_append(path, "learned profile");
    if (!fd) return fd.error();
    if (::ftruncate(fd->get(), 0) != 0)
        return make_error("learned profile " + path + ": ftruncate: " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd->get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return make_error("learned profile " + path + ": write: " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    return {};
#else
    (void)text;
    return make_error("learned profile " + path + ": mxc learn is not available on Windows");
#endif
}

}  // namespace

int run_learn(const LearnOptions& options) {
    if (!options.output.empty() && !options.force && path_exists(options.output)) {
        std::fprintf(stderr, "mxc: %s already exists: pass --force to overwrite it, or choose another -o\n",
                     terminal_safe(options.output).c_str());
        return exit_code::kMxcFailure;
    }
    const std::string session = audit::new_session_id();
    auto run = prepare_run(options.policy, options.command, options.cwd, session);
    if (!run) {
        std::fprintf(stderr, "%s\n", run.error().message.c_str());
        return exit_code::kMxcFailure;
    }

    // --allow-net-learning lets every destination through; a managed
    // [network] rule binds every run, so the two cannot meet (docs/managed.md).
    if (options.allow_net && run->policy.managed && run->policy.managed->network_rule) {
        const auto& [text, origin] = *run->policy.managed->network_rule;
        std::fprintf(stderr,
                     "mxc: --allow-net-learning is refused: the managed policy's %s (%s) applies to every "
                     "run; learn without it (refused destinations are still recorded)\n",
                     terminal_safe(text).c_str(), terminal_safe(origin.describe()).c_str());
        return exit_code::kMxcFailure;
    }

    // A learning run is a run: the profile's and the managed policy's audit
    // sinks record it like any exec (mxc learn has no --audit of its own).
    auto audit_log = audit::open_audit_log(run->policy, "", run->context.cwd, session);
    if (!audit_log) {
        std::fprintf(stderr, "mxc: %s\n", audit_log.error().message.c_str());
        return exit_code::kMxcFailure;
    }
    run->request.audit = audit_log->get();

    learn::Observations observed;
    const int status = platform::learn(run->policy, run->request, options.allow_net, observed);
    if (status == exit_code::kMxcFailure && observed.files.empty() && observed.hosts.empty()) {
        // mxc itself failed (its reason is on stderr already), or the command
        // exited 125 having used nothing: either way there is nothing to write.
        std::fprintf(stderr, "mxc learn: nothing was recorded; no profile written\n");
        return status;
    }

    learn::SuggestInput input;
    input.observations = &observed;
    input.base = &run->policy;
    input.env_names = caller_env_names();
    input.kind = host_kind;
    const learn::Suggestion suggestion = learn::suggest(input);

    std::vector<std::string> shown{"mxc", "learn", "-p", options.policy.profile};
    if (!options.policy.workspace.empty()) shown.insert(shown.end(), {"-w", options.policy.workspace});
    if (options.allow_net) shown.emplace_back("--allow-net-learning");
    shown.emplace_back("--");
    shown.insert(shown.end(), options.command.begin(), options.command.end());
    learn::ProfileHeader header{extends_entry(run->policy, options, run->context.cwd), shell_words(shown),
                                utc_now()};
    auto text = learn::write_profile(suggestion, header);
    if (!text) {
        std::fprintf(stderr, "mxc: %s\n", text.error().message.c_str());
        return exit_code::kMxcFailure;
    }

    if (options.output.empty()) {
        std::fwrite(text->data(), 1, text->size(), stdout);
        std::fflush(stdout);
    } else {
        // The run may have created OUT (it can write the workspace): never
        // overwrite what it left there unless asked to.
        if (!options.force && path_exists(options.output)) {
            std::fprintf(stderr, "mxc: %s appeared during the run: not overwritten (pass --force)\n",
                         terminal_safe(options.output).c_str());
            return exit_code::kMxcFailure;
        }
        if (auto st = write_output(options.output, *text); !st) {
            std::fprintf(stderr, "mxc: %s\n", terminal_safe(st.error().message).c_str());
            return exit_code::kMxcFailure;
        }
    }
    learn::SummaryContext summary{options.policy.profile, options.output, status, options.allow_net};
    const std::string account = learn::summary_text(suggestion, summary);
    std::fwrite(account.data(), 1, account.size(), stderr);
    return status;
}

}  // namespace mxc::cli
