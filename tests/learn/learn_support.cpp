#include "learn_support.hpp"

#include <doctest/doctest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace mxc::learn_test {
namespace {

void check_sys(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::string user_name() {
    passwd* pw = getpwuid(test::test_uid());
    return pw != nullptr ? pw->pw_name : "nobody";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string describe(const test::RunResult& r) {
    std::ostringstream o;
    o << "status " << r.status << (r.timed_out ? " (timed out)" : "") << "\n--- stdout:\n"
      << r.out << "\n--- stderr:\n"
      << r.err;
    return o.str();
}

}  // namespace

bool is_at_or_below(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string profile_path(const std::string& name) {
    return std::string(MXC_LEARN_PROFILE_DIR) + "/" + name;
}

Scene::Scene() {
    std::string tmpl = "/var/tmp/mxc-learn-XXXXXX";
    check_sys(mkdtemp(tmpl.data()) != nullptr, "mkdtemp " + tmpl);
    root = tmpl;
    check_sys(chmod(root.c_str(), 0755) == 0, "chmod " + root);
    chown_tree(root);
    ws = mkdir("ws");
    home = mkdir("home");
    out_toml = root + "/learned.toml";
    base = profile_path("learn-base.toml");
}

Scene::~Scene() {
    std::error_code ec;
    fs::remove_all(root, ec);
}

void Scene::chown_tree(const std::string& path) const {
    if (geteuid() != 0) return;
    for (fs::path q = path; q.string().size() >= root.size(); q = q.parent_path()) {
        check_sys(lchown(q.c_str(), test::test_uid(), test::test_gid()) == 0, "chown " + q.string());
        if (q.string() == root) break;
    }
}

std::string Scene::plant(const std::string& relative, const std::string& content, unsigned mode) const {
    fs::path p = fs::path(root) / relative;
    mkdir(p.parent_path().lexically_relative(root).string());
    {
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        f << content;
    }
    check_sys(chmod(p.c_str(), mode) == 0, "chmod " + p.string());
    chown_tree(p.string());
    return p.string();
}

std::string Scene::mkdir(const std::string& relative) const {
    fs::path p = fs::path(root) / relative;
    fs::create_directories(p);
    // Every directory on the way, not only the last: create_directories made them all.
    for (fs::path q = p; q.string().size() > root.size(); q = q.parent_path()) {
        if (geteuid() == 0)
            check_sys(lchown(q.c_str(), test::test_uid(), test::test_gid()) == 0, "chown " + q.string());
    }
    return p.lexically_normal().string();
}

std::string Scene::symlink(const std::string& target, const std::string& relative) const {
    fs::path p = fs::path(root) / relative;
    mkdir(p.parent_path().lexically_relative(root).string());
    fs::create_symlink(target, p);
    chown_tree(p.string());
    return p.string();
}

std::string Scene::tilde(const std::string& path) const {
    if (is_at_or_below(path, home)) return "~" + path.substr(home.size());
    return path;
}

std::vector<std::string> Scene::env_prefix() const {
    // A fixed environment: the caller's (ctest's, root's) must not make the
    // bare run and the sandboxed one differ, nor leak GIT_* or CCACHE_*.
    const std::string user = user_name();
    std::vector<std::string> prefix{
        "/usr/bin/env", "-i",        "HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin",
        "LANG=C.UTF-8", "TERM=dumb", "USER=" + user, "LOGNAME=" + user};
    for (const auto& [name, value] : env) prefix.push_back(std::string(name).append("=").append(value));
    return prefix;
}

test::RunResult Scene::run(std::vector<std::string> argv, const std::string& cwd) const {
    std::vector<std::string> full = env_prefix();
    full.insert(full.end(), argv.begin(), argv.end());
    test::RunSpec spec;
    spec.argv = std::move(full);
    spec.cwd = cwd.empty() ? ws : cwd;
    spec.timeout = std::chrono::seconds(120);
    return test::run(spec);
}

test::RunResult Scene::bare(const std::vector<std::string>& command, const std::string& cwd) const {
    return run(command, cwd);
}

test::RunResult Scene::mxc(const std::vector<std::string>& args, const std::string& cwd) const {
    std::vector<std::string> argv{MXC_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(std::move(argv), cwd);
}

test::RunResult Scene::exec(const std::string& profile, const std::vector<std::string>& command,
                            const std::string& cwd) const {
    std::vector<std::string> args{"exec", "-p", profile, "-w", ws, "--"};
    args.insert(args.end(), command.begin(), command.end());
    return mxc(args, cwd);
}

test::RunResult Scene::learn(const std::vector<std::string>& command, const std::string& cwd) const {
    std::vector<std::string> args{"learn", "-p", base, "-o", out_toml, "-w", ws, "--"};
    args.insert(args.end(), command.begin(), command.end());
    return mxc(args, cwd);
}

std::vector<LearnedRule> Scene::learned_rules() const {
    const test::RunResult r = mxc({"explain", "--json", "-p", out_toml, "-w", ws});
    if (r.status != 0) {
        FAIL_CHECK("mxc explain --json -p ", out_toml, " failed: ", describe(r));
        return {};
    }
    const nlohmann::json explained = nlohmann::json::parse(r.out, nullptr, false);
    if (explained.is_discarded() || !explained.contains("filesystem")) {
        FAIL_CHECK("mxc explain --json printed no filesystem rules:\n", r.out);
        return {};
    }
    std::vector<LearnedRule> rules;
    const std::string prefix = out_toml + ":";
    for (const auto& rule : explained["filesystem"]) {
        const std::string origin = rule.value("origin", "");
        if (origin.rfind(prefix, 0) != 0) continue;
        LearnedRule learned;
        learned.path = rule.value("path", "");
        learned.access = rule.value("access", "");
        if (std::sscanf(origin.c_str() + prefix.size(), "%d:%d", &learned.line, &learned.col) != 2)
            FAIL_CHECK("origin is not FILE:LINE:COL: ", origin);
        rules.push_back(learned);
    }
    return rules;
}

std::map<std::string, std::string> Scene::snapshot_outside_workspace() const {
    std::map<std::string, std::string> snap;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string path = it->path().string();
        if (path == ws) {
            it.disable_recursion_pending();
            continue;
        }
        if (path == out_toml) continue;
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0) continue;
        std::ostringstream o;
        o << std::oct << st.st_mode << std::dec << " " << st.st_uid << ":" << st.st_gid << " size "
          << st.st_size << " mtime " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
        if (S_ISREG(st.st_mode)) {
            o << " content " << test::read_file(path);
        } else if (S_ISLNK(st.st_mode)) {
            o << " -> " << fs::read_symlink(path, ec).string();
        }
        snap[path] = o.str();
    }
    return snap;
}

const LearnedRule* rule_covering(const std::vector<LearnedRule>& rules, const std::string& path) {
    const LearnedRule* best = nullptr;
    for (const auto& rule : rules) {
        if (rule.access == "deny" || !is_at_or_below(path, rule.path)) continue;
        if (best == nullptr || rule.path.size() > best->path.size()) best = &rule;
    }
    return best;
}

std::string comment_of(const std::string& profile_text, const LearnedRule& rule) {
    const std::vector<std::string> lines = lines_of(profile_text);
    if (rule.line < 1 || static_cast<std::size_t>(rule.line) > lines.size()) return {};
    const std::string& line = lines[static_cast<std::size_t>(rule.line) - 1];
    // The rule's string ends at the next quote after its opening one.
    const auto open = static_cast<std::size_t>(rule.col > 0 ? rule.col - 1 : 0);
    const auto close = line.find('"', open + 1);
    if (close != std::string::npos) {
        const auto hash = line.find('#', close);
        if (hash != std::string::npos) return trim(line.substr(hash + 1));
    }
    std::string above;
    for (auto i = static_cast<std::size_t>(rule.line) - 1; i-- > 0;) {
        const std::string t = trim(lines[i]);
        if (t.empty() || t[0] != '#') break;
        std::string comment = trim(t.substr(1));
        if (!above.empty()) comment.append(" ").append(above);
        above = std::move(comment);
    }
    return above;
}

std::string text_of(const std::string& profile_text, const LearnedRule& rule) {
    const std::vector<std::string> lines = lines_of(profile_text);
    if (rule.line < 1 || static_cast<std::size_t>(rule.line) > lines.size() || rule.col < 1) return {};
    const std::string& line = lines[static_cast<std::size_t>(rule.line) - 1];
    const auto open = static_cast<std::size_t>(rule.col - 1);
    if (open >= line.size() || line[open] != '"') return {};
    const auto close = line.find('"', open + 1);
    if (close == std::string::npos) return {};
    return line.substr(open + 1, close - open - 1);
}

bool mentions(const Scene& scene, const std::string& text, const std::string& path) {
    return text.find(path) != std::string::npos || text.find(scene.tilde(path)) != std::string::npos;
}

LearnResult control_then_learn(const Scene& scene, const std::vector<std::string>& command) {
    LearnResult result;

    // (a) The control: the learned rules must be needed.
    const test::RunResult control = scene.exec(scene.base, command);
    INFO("control (mxc exec -p BASE): ", describe(control));
    REQUIRE_MESSAGE(control.status != 0,
                    "control: the command already succeeds under BASE alone, so learning proves nothing");
    REQUIRE_MESSAGE(control.status != 125,
                    "control: mxc itself failed (125), not the command: fix the scene or BASE");

    // (b) Learn; nothing outside the workspace changes.
    const auto before = scene.snapshot_outside_workspace();
    result.learn = scene.learn(command);
    result.summary = result.learn.out + result.learn.err;
    INFO("mxc learn: ", describe(result.learn));
    REQUIRE_MESSAGE(result.learn.status == 0, "mxc learn -p BASE -o OUT -- COMMAND did not succeed");
    const auto after = scene.snapshot_outside_workspace();
    for (const auto& [path, state] : after) {
        const auto was = before.find(path);
        if (was == before.end())
            FAIL_CHECK("host changed by mxc learn: ", path, " was created (", state, ")");
        else if (was->second != state)
            FAIL_CHECK("host changed by mxc learn: ", path, "\n  before: ", was->second,
                       "\n  after:  ", state);
    }
    for (const auto& [path, state] : before) {
        if (after.count(path) == 0) FAIL_CHECK("host changed by mxc learn: ", path, " was removed");
    }
    REQUIRE_MESSAGE(fs::exists(scene.out_toml), "mxc learn -o wrote no profile at ", scene.out_toml);
    result.profile = test::read_file(scene.out_toml);
    INFO("learned profile:\n", result.profile);
    CHECK_MESSAGE(result.profile.find(kSecret) == std::string::npos, "the learned profile holds the secret");
    CHECK_MESSAGE(result.summary.find(kSecret) == std::string::npos, "mxc learn printed the secret");

    // (c) The learned profile is valid, extends BASE, and every learned rule
    // shows where it came from.
    const test::RunResult check = scene.mxc({"check", scene.out_toml});
    CHECK_MESSAGE(check.status == 0, "mxc check OUT: ", describe(check));
    const test::RunResult explain = scene.mxc({"explain", "-p", scene.out_toml, "-w", scene.ws});
    CHECK_MESSAGE(explain.status == 0, "mxc explain -p OUT: ", describe(explain));
    const auto chain_line = explain.out.substr(0, explain.out.find('\n', explain.out.find("chain")));
    CHECK_MESSAGE(chain_line.find(scene.base) != std::string::npos,
                  "the learned profile does not extend BASE:\n", explain.out);
    result.rules = scene.learned_rules();
    CHECK_MESSAGE(!result.rules.empty(), "mxc explain -p OUT shows no rule from OUT:\n", explain.out);
    for (const auto& rule : result.rules) {
        const std::string origin =
            scene.out_toml + ":" + std::to_string(rule.line) + ":" + std::to_string(rule.col);
        CHECK_MESSAGE(explain.out.find(origin) != std::string::npos, "mxc explain does not show ", origin,
                      " for ", rule.path);
        const std::string text = text_of(result.profile, rule);
        CHECK_MESSAGE(!text.empty(), "origin ", origin, " of ", rule.path,
                      " does not point at the rule's text");
        if (is_at_or_below(rule.path, scene.home))
            CHECK_MESSAGE(text.rfind('~', 0) == 0, "learned rule \"", text, "\" for ", rule.path,
                          " is not written with ~");
        else if (is_at_or_below(rule.path, scene.ws))
            CHECK_MESSAGE(text.rfind("{workspace}", 0) == 0, "learned rule \"", text, "\" for ", rule.path,
                          " is not written with {workspace}");
        CHECK_MESSAGE(!comment_of(result.profile, rule).empty(), "learned rule ", rule.path,
                      " has no comment saying which program needed it");
    }
    return result;
}

void report(const LearnResult& learned) {
    MESSAGE("learned profile:\n", learned.profile, "\nmxc learn's summary (stderr):\n", learned.learn.err);
}

test::RunResult run_learned(const Scene& scene, const std::vector<std::string>& command) {
    test::RunResult r = scene.exec(scene.out_toml, command);
    CHECK_MESSAGE(r.status == 0,
                  "the command fails under the learned profile (mxc exec -p OUT): ", describe(r));
    return r;
}

test::RunResult run_bare(const Scene& scene, const std::vector<std::string>& command) {
    test::RunResult r = scene.bare(command);
    REQUIRE_MESSAGE(r.status == 0, "the command fails bare, so this scenario proves nothing: ", describe(r));
    return r;
}

}  // namespace mxc::learn_test
