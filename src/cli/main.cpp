// Command-line front end: the only file that includes CLI11 (a heavy header).
// It fills the plain option structs and hands over to one run_* per command.
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/args.hpp"
#include "cli/cli11.hpp"
#include "cli/options.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "common/version.hpp"
#include "platform/platform.hpp"

namespace {

constexpr const char* kFooter = R"(Examples:
  mxc exec -- bash                                  default profile, current dir as workspace
  mxc exec -p coding-agent -w ~/src/app -- claude   an agent shell confined to one project
  mxc exec --allow-net github.com -- git fetch      add one egress rule for this run
  mxc exec --dry-run -p build -- make               print the sandbox plan, run nothing
  mxc check my-profile.toml                         validate a profile (file:line:col errors)
  mxc explain -p coding-agent                       every rule, where it came from, how it is enforced
  mxc doctor                                        what this host can enforce
  mxc exec --audit run.jsonl -- make && mxc log run.jsonl
  mxc log --suggest run.jsonl                       allow rules for the hosts that were denied
  mxc learn -p default -o app.toml -- make test     write the profile a command needs (docs/learn.md)

Exit status of `mxc exec` and `mxc learn`: the command's own; 128+N if killed by signal N;
124 wall_time expired; 125 mxc failed (reason on stderr); 126 not executable;
127 not found. Other commands: 0 ok, 1 failure, 2 usage.)";

void add_policy_flags(CLI::App* cmd, mxc::cli::PolicyOptions& p) {
    cmd->add_option("-p,--profile", p.profile, "built-in profile name (see `mxc profiles`) or a .toml file")
        ->capture_default_str();
    cmd->add_option("-w,--workspace", p.workspace, "value of {workspace}; default: current directory");
    auto& o = p.overrides;
    cmd->add_option("--allow-read", o.allow_read, "add a read rule (repeatable)")->take_all();
    cmd->add_option("--allow-write", o.allow_write, "add a write rule (repeatable)")->take_all();
    cmd->add_option("--deny", o.deny, "add a deny rule (repeatable)")->take_all();
    cmd->add_option("--net", o.net_mode, "override network.mode")
        ->check(CLI::IsMember({"none", "allowlist", "host"}));
    cmd->add_option("--allow-net", o.allow_net, "add an egress rule HOST[:PORT]; mode none becomes allowlist")
        ->take_all();
    cmd->add_option("--allow-unix", o.allow_unix,
                    "allow connect() to unix sockets at or below PATH (repeatable)")
        ->take_all();
    cmd->add_option("--env", o.env, "pass NAME through, or set NAME=VALUE (repeatable)")->take_all();
    cmd->add_option("--memory", o.memory, "override limits.memory (\"512MiB\", \"4GiB\", \"unlimited\")");
    cmd->add_option("--timeout", o.timeout, "override limits.wall_time (\"90s\", \"5m\", \"1h\")");
    cmd->add_flag("--best-effort", o.best_effort, "run even when a rule cannot be enforced here (warns)");
    cmd->add_option(
        "--agent", o.agent,
        "the agent id every audit event carries; overrides [agent].id (letters, digits, ._-@:/+)");
}

// Everything after the first "--" is the command, passed on byte for byte;
// CLI11 never sees it (it could hold anything, including invalid UTF-8).
std::vector<std::string> split_command(std::vector<std::string>& args) {
    const auto at = static_cast<std::size_t>(std::find(args.begin(), args.end(), "--") - args.begin());
    if (at == args.size()) return {};
    std::vector<std::string> command;
    command.reserve(args.size() - at - 1);
    for (std::size_t i = at + 1; i < args.size(); ++i) command.push_back(std::move(args[i]));
    args.resize(at);
    return command;
}

// The subcommand's position: global options (-v, -q, --help, --version)
// may come before it and take no value, so it is the first word that is
// not an option.
std::size_t subcommand_index(const std::vector<std::string>& args) {
    std::size_t i = 0;
    while (i < args.size() && args[i].size() > 1 && args[i][0] == '-' && args[i] != "--") ++i;
    return i;
}

// Whether exec's words (before "--") ask for a run that starts the sandbox
// early: not a dry run, help or version. `verbose`: -v as the parser will
// read it (-q wins).
struct EarlyStartWanted {
    bool wanted = false;
    bool verbose = false;
};
EarlyStartWanted early_start_wanted(const std::vector<std::string>& args) {
    EarlyStartWanted out{true, false};
    bool quiet = false;
    for (const auto& a : args) {
        if (a.rfind("--dry-run", 0) == 0 || a == "-h" || a == "--help" || a == "--version") return {};
        if (a == "--verbose" ||
            (a.size() > 1 && a[0] == '-' && a.find_first_not_of('v', 1) == std::string::npos))
            out.verbose = true;
        if (a == "-q" || a == "--quiet") quiet = true;
    }
    if (quiet) out.verbose = false;
    return out;
}

// Every option struct the parser fills, one per subcommand.
struct Parsed {
    int verbose = 0;
    bool quiet = false;
    mxc::cli::ExecOptions exec;
    std::vector<std::string> loose;  // exec's words before "--" (refused)
    mxc::cli::LearnOptions learn;
    std::vector<std::string> learn_loose;
    mxc::cli::CheckOptions check;
    mxc::cli::ExplainOptions explain;
    mxc::cli::DoctorOptions doctor;
    mxc::cli::LogOptions log;
};

constexpr std::array<std::string_view, 7> kSubcommands = {"exec",     "learn",  "check", "explain",
                                                          "profiles", "doctor", "log"};

// Which subcommand the parse selected: "" when none.
struct Built {
    std::vector<std::pair<std::string_view, CLI::App*>> subcommands;
    std::string_view selected() const {
        for (const auto& [name, cmd] : subcommands)
            if (*cmd) return name;
        return {};
    }
};

// Builds the parser into `app`: with `only` empty, every subcommand (what
// help and error messages describe); otherwise just that one, which spares
// each run the construction of options it cannot use (CLI11 builds are a
// measurable part of startup, issue 14). Subcommands are added in the same
// order either way, so what is shown never depends on which was built.
Built build_app(CLI::App& app, Parsed& o, std::string_view only) {
    Built built;
    auto wanted = [&](std::string_view name) { return only.empty() || only == name; };
    app.footer(kFooter);
    app.set_version_flag("--version", std::string("mxc ") + mxc::kVersion);
    app.require_subcommand(1);
    app.add_flag("-v,--verbose", o.verbose, "more of mxc's own logging (stderr only); repeat for more");
    app.add_flag("-q,--quiet", o.quiet, "only errors from mxc itself");

    if (wanted("exec")) {
        auto* exec_cmd = app.add_subcommand(
            "exec", "run COMMAND inside the sandbox: mxc exec [OPTIONS] -- COMMAND [ARGS...]");
        add_policy_flags(exec_cmd, o.exec.policy);
        exec_cmd->add_option(
            "-C,--cwd", o.exec.cwd,
            "start the command in DIR (must be visible in the sandbox); default: the current "
            "directory, or the workspace when -w is given and the current directory is not visible");
        exec_cmd->add_option("--audit", o.exec.audit_path,
                             "append JSON-lines audit events to FILE (\"-\" = stderr)");
        exec_cmd->add_flag("--dry-run", o.exec.dry_run, "print the plan, run nothing, exit 0");
        exec_cmd->add_flag("--die-with-parent", o.exec.die_with_parent,
                           "end the sandbox when the process that started mxc dies (agents, CI steps)");
        exec_cmd->add_flag("-v,--verbose", o.verbose, "more of mxc's own logging");
        exec_cmd->add_flag("-q,--quiet", o.quiet, "only errors from mxc itself");
        exec_cmd->add_option("command", o.loose, "the command, after --");
        built.subcommands.emplace_back("exec", exec_cmd);
    }

    if (wanted("learn")) {
        auto* learn_cmd =
            app.add_subcommand("learn",
                               "run COMMAND once in a learning sandbox and write the profile it needed: "
                               "mxc learn -p BASE [-o OUT.toml] -- COMMAND [ARGS...]");
        learn_cmd
            ->add_option("-p,--profile", o.learn.policy.profile,
                         "the base profile: a built-in name or a .toml file; the learned one extends it")
            ->capture_default_str();
        learn_cmd->add_option("-w,--workspace", o.learn.policy.workspace,
                              "value of {workspace}; default: current directory");
        learn_cmd->add_option("-C,--cwd", o.learn.cwd, "start the command in DIR, as for exec");
        learn_cmd->add_option(
            "-o,--output", o.learn.output,
            "write the learned profile to FILE (default: stdout; the summary goes to stderr)");
        learn_cmd->add_flag("--force", o.learn.force,
                            "overwrite FILE if it exists (never through a symbolic link)");
        learn_cmd->add_flag("--allow-net-learning", o.learn.allow_net,
                            "let every destination through while learning (and record it): the command can "
                            "then send data anywhere; without it, destinations are recorded and refused");
        learn_cmd->add_flag("-v,--verbose", o.verbose, "more of mxc's own logging");
        learn_cmd->add_flag("-q,--quiet", o.quiet, "only errors from mxc itself");
        learn_cmd->add_option("command", o.learn_loose, "the command, after --");
        built.subcommands.emplace_back("learn", learn_cmd);
    }

    if (wanted("check")) {
        auto* check_cmd = app.add_subcommand(
            "check", "validate profiles; errors as file:line:col; exit 0 valid, 1 invalid");
        check_cmd->add_option("profile", o.check.profiles, "built-in names or .toml files")->required();
        built.subcommands.emplace_back("check", check_cmd);
    }

    if (wanted("explain")) {
        auto* explain_cmd = app.add_subcommand(
            "explain", "show the resolved policy, where each rule came from, and how this host enforces it");
        add_policy_flags(explain_cmd, o.explain.policy);
        explain_cmd->add_flag("--json", o.explain.json, "machine-readable output");
        built.subcommands.emplace_back("explain", explain_cmd);
    }

    if (wanted("profiles")) {
        built.subcommands.emplace_back("profiles",
                                       app.add_subcommand("profiles", "list the built-in profiles"));
    }

    if (wanted("doctor")) {
        auto* doctor_cmd = app.add_subcommand("doctor", "report what this host can enforce");
        doctor_cmd->add_flag("--json", o.doctor.json, "machine-readable output");
        built.subcommands.emplace_back("doctor", doctor_cmd);
    }

    if (wanted("log")) {
        auto* log_cmd =
            app.add_subcommand("log", "summarise an audit log: what ran, hosts allowed/denied, exit reason");
        log_cmd->add_option("file", o.log.file, "audit log written by mxc exec --audit")->required();
        log_cmd->add_flag("-f,--follow", o.log.follow, "print events as they are appended");
        log_cmd->add_flag("--json", o.log.json, "one JSON summary per session");
        auto* suggest_flag = log_cmd->add_flag("--suggest", o.log.suggest,
                                               "propose [network].allow rules for the denied hosts");
        log_cmd
            ->add_flag("--toml", o.log.toml,
                       "with --suggest: print them as a [network] table to paste into a profile")
            ->needs(suggest_flag);
        built.subcommands.emplace_back("log", log_cmd);
    }
    return built;
}

// The one subcommand worth building alone, or "" for the full parser: the
// word at `sub` must name a subcommand and no other word may (CLI11 would
// otherwise classify it as a subcommand of the full app, not as a value).
std::string_view lean_subcommand(const std::vector<std::string>& args, std::size_t sub) {
    if (sub >= args.size()) return {};
    const auto* named = std::find(kSubcommands.begin(), kSubcommands.end(), args[sub]);
    if (named == kSubcommands.end()) return {};
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i != sub && std::find(kSubcommands.begin(), kSubcommands.end(), args[i]) != kSubcommands.end())
            return {};
    }
    return *named;
}

// CLI11 prints help and the version to std::cout (cli11.hpp: the standard
// streams are set up here, not before main).
int print_to_standard_streams(const CLI::App& app, const CLI::Error& e) {
    const std::ios_base::Init standard_streams;
    return app.exit(e);
}

constexpr const char* kAbout = "mxc runs a command inside a boundary that a TOML profile describes.";

}  // namespace

// exec and learn premap their first heap (platform::prepare_process) before
// the C++ library's static constructors run, whose locale set-up for
// <iostream> is the first to allocate (docs/design.md, "Startup budget").
// Priority 101 sorts ahead of every default-priority
// constructor; glibc passes main's arguments. A plain scan, since nothing
// with a constructor may be used yet: an option value spelled "exec" only
// premaps a run that did not need it. glibc only: other C runtimes call
// constructors without arguments (and Windows has nothing to premap).
#if defined(__GLIBC__)
__attribute__((constructor(101))) static void prepare_exec_before_static_init(int argc, char** argv,
                                                                              char** /*envp*/) {
    for (int i = 1; i < argc && argv[i] != nullptr; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") return;
        if (arg == "exec" || arg == "learn") {
            mxc::platform::prepare_process();
            return;
        }
    }
}
#endif

static int run(int argc, char** argv, bool& ran_command) {
    // First thing: --die-with-parent compares against this, and the earlier
    // it is read the smaller the window in which a parent could die unseen.
    const long parent_pid = mxc::cli::parent_process_id();
    std::vector<std::string> args = mxc::cli::command_line_args(argc, argv);
    const std::size_t sub = subcommand_index(args);
    // exec and learn run a command: everything after "--" is its argv, and
    // their own failures are 125 (0-124 and 126-255 are the command's).
    const bool is_exec = sub < args.size() && (args[sub] == "exec" || args[sub] == "learn");
    ran_command = is_exec;
    std::vector<std::string> command = is_exec ? split_command(args) : std::vector<std::string>{};
    // exec's sandbox init starts before the options are parsed, so that it
    // is ready sooner (platform.hpp, start_early); a parse that fails ends
    // it unused.
    std::shared_ptr<mxc::platform::EarlyStart> early;
    if (sub < args.size() && args[sub] == "exec" && !command.empty()) {
        if (const auto start = early_start_wanted(args); start.wanted)
            early = mxc::platform::start_early(start.verbose);
    }

    // The usual run parses with just its subcommand built; anything that
    // parse does not accept (help, --version, a usage error) is parsed again
    // by the full parser, so every message and help text is the full app's.
    Parsed o;
    std::string_view selected;
    const std::string_view lean = lean_subcommand(args, sub);
    if (!lean.empty()) {
        CLI::App app{kAbout, "mxc"};
        const Built built = build_app(app, o, lean);
        try {
            std::vector<std::string> reversed(args.rbegin(), args.rend());
            app.parse(reversed);
            selected = built.selected();
        } catch (const CLI::Error&) {
            o = Parsed{};
        }
    }
    if (selected.empty()) {
        CLI::App app{kAbout, "mxc"};
        const Built built = build_app(app, o, {});
        try {
            std::vector<std::string> reversed(args.rbegin(), args.rend());
            app.parse(reversed);
        } catch (const CLI::Success& e) {  // --help, --help-all, --version
            return print_to_standard_streams(app, e);
        } catch (const CLI::ParseError& e) {
            std::fprintf(stderr, "mxc: %s (see mxc --help)\n", e.what());
            // exec reserves 0-124 and 126-255 for the command; its own usage
            // errors are 125 like every other mxc failure.
            return is_exec ? mxc::exit_code::kMxcFailure : 2;
        }
        selected = built.selected();
    }

    mxc::log::setup(o.quiet ? -1 : o.verbose);
    if (selected == "exec") {
        if (!o.loose.empty()) {
            std::fprintf(stderr, "mxc: put the command after --: mxc exec [OPTIONS] -- %s ...\n",
                         o.loose.front().c_str());
            return mxc::exit_code::kMxcFailure;
        }
        if (command.empty()) {
            std::fprintf(stderr, "mxc: no command given: mxc exec [OPTIONS] -- COMMAND [ARGS...]\n");
            return mxc::exit_code::kMxcFailure;
        }
        o.exec.command = std::move(command);
        o.exec.parent_pid = parent_pid;
        return mxc::cli::run_exec(o.exec, std::move(early));
    }
    if (selected == "learn") {
        if (!o.learn_loose.empty()) {
            std::fprintf(stderr, "mxc: put the command after --: mxc learn [OPTIONS] -- %s ...\n",
                         o.learn_loose.front().c_str());
            return mxc::exit_code::kMxcFailure;
        }
        if (command.empty()) {
            std::fprintf(stderr,
                         "mxc: no command given: mxc learn -p BASE [-o OUT.toml] -- COMMAND [ARGS...]\n");
            return mxc::exit_code::kMxcFailure;
        }
        o.learn.command = std::move(command);
        return mxc::cli::run_learn(o.learn);
    }
    if (selected == "check") return mxc::cli::run_check(o.check);
    if (selected == "explain") return mxc::cli::run_explain(o.explain);
    if (selected == "profiles") return mxc::cli::run_profiles();
    if (selected == "doctor") return mxc::cli::run_doctor(o.doctor);
    if (selected == "log") return mxc::cli::run_log(o.log);
    return 2;
}

int main(int argc, char** argv) {
    // Nothing below is expected to throw; if something does (bad_alloc), mxc
    // still fails the way its contract says: a one-line reason and 125 for
    // exec (which could otherwise be mistaken for the command's own status).
    try {
        bool ran_command = false;
        const int status = run(argc, argv, ran_command);
        if (ran_command) mxc::platform::finish_process();
        return status;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mxc: internal error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "mxc: internal error\n");
    }
    return mxc::exit_code::kMxcFailure;
}
