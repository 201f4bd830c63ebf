// GitGuard and AbsentGuard on hand-made repositories in a temp dir: what a
// run can do to exec-capable git state is undone, links are never followed,
// and the agent's own ordinary work (a new submodule, a new repository) stays.
#include "integrity/git_guard.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integrity/absent_guard.hpp"

namespace fs = std::filesystem;
using namespace mxc::integrity;

namespace {

struct Tree {
    std::string root;
    Tree() {
        std::string tmpl = (fs::temp_directory_path() / "mxc-guard-XXXXXX").string();
        root = mkdtemp(tmpl.data());
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    std::string put(const std::string& rel, const std::string& content,
                    fs::perms mode = fs::perms(0644)) const {
        fs::path p = fs::path(root) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
        fs::permissions(p, mode);
        return p.string();
    }
    std::string read(const std::string& rel) const {
        std::ifstream in(fs::path(root) / rel, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    bool exists(const std::string& rel) const { return fs::exists(fs::symlink_status(fs::path(root) / rel)); }
    // A minimal repository: git directory with config, HEAD and one hook.
    void repo(const std::string& at = "ws") const {
        put(at + "/.git/HEAD", "ref: refs/heads/main\n");
        put(at + "/.git/config", "[core]\n\trepositoryformatversion = 0\n");
        put(at + "/.git/hooks/pre-commit.sample", "#!/bin/sh\n", fs::perms(0755));
        put(at + "/.git/info/exclude", "");
        put(at + "/file", "work\n");
    }
};

bool reported(const std::vector<Tamper>& found, const std::string& path_end, const std::string& what = "") {
    for (const auto& t : found) {
        if (t.path.size() >= path_end.size() &&
            t.path.compare(t.path.size() - path_end.size(), path_end.size(), path_end) == 0 &&
            t.what.find(what) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("exec_capable_keys finds commands git would run, in any spelling") {
    const std::string config =
        "[core]\n\tbare = false\n\tFSMonitor = id\n[Core] hooksPath = /x\n"
        "[filter \"lfs\"]\n\tclean = evil %f\n\trequired = true\n"
        "[diff \"x\"]\n\ttextconv = evil\n[include]\n\tpath = ../evil\n"
        "[alias]\n\tst = status\n\tpwn = !id\n[remote \"origin\"]\n\turl = x\n"
        "; [core] sshCommand = commented\n[core.sub]\n\tnothing = 1\n";
    const auto keys = exec_capable_keys(config);
    REQUIRE(keys.size() == 6);
    CHECK(keys[0] == "core.fsmonitor");
    CHECK(keys[1] == "core.hookspath");
    CHECK(keys[2] == "filter.lfs.clean");
    CHECK(keys[3] == "diff.x.textconv");
    CHECK(keys[4] == "include.path");
    CHECK(keys[5] == "alias.pwn");
    CHECK(exec_capable_keys("[core]\n\trepositoryformatversion = 0\n\tbare = false\n").empty());
}

TEST_CASE("an untouched repository reports nothing") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    CHECK(guard.errors().empty());
    CHECK(guard.check_and_restore("t").empty());
}

TEST_CASE("a changed config is restored and the key it set is named") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    const std::string before = t.read("ws/.git/config");
    t.put("ws/.git/config", before + "\tfsmonitor = id > /tmp/pwned\n");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/.git/config", "core.fsmonitor"));
    CHECK(t.read("ws/.git/config") == before);
}

TEST_CASE("a planted hook is removed and a changed one restored with its mode") {
    Tree t;
    t.repo();
    t.put("ws/.git/hooks/post-checkout", "#!/bin/sh\necho mine\n", fs::perms(0755));
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.git/hooks/pre-commit", "#!/bin/sh\nid\n", fs::perms(0755));
    t.put("ws/.git/hooks/post-checkout", "#!/bin/sh\nid\n", fs::perms(0777));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/hooks/pre-commit", "created"));
    CHECK(reported(found, "/hooks/post-checkout", "modified"));
    CHECK_FALSE(t.exists("ws/.git/hooks/pre-commit"));
    CHECK(t.read("ws/.git/hooks/post-checkout") == "#!/bin/sh\necho mine\n");
    CHECK((fs::status(t.root + "/ws/.git/hooks/post-checkout").permissions() & fs::perms::all) ==
          fs::perms(0755));
}

TEST_CASE("hooks replaced by a symlink: the link is removed, not followed, and the hooks come back") {
    Tree t;
    t.repo();
    t.put("elsewhere/keep", "not mine to delete\n");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    fs::rename(t.root + "/ws/.git/hooks", t.root + "/ws/old-hooks");
    fs::create_directory_symlink(t.root + "/elsewhere", t.root + "/ws/.git/hooks");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/.git/hooks", "replaced by a symlink"));
    CHECK(fs::is_directory(fs::symlink_status(t.root + "/ws/.git/hooks")));
    CHECK(t.exists("ws/.git/hooks/pre-commit.sample"));
    CHECK(t.read("elsewhere/keep") == "not mine to delete\n");
}

TEST_CASE("config replaced by a symlink is removed without touching its target") {
    Tree t;
    t.repo();
    const std::string target = t.put("target", "[core]\n\tfsmonitor = id\n");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    fs::remove(t.root + "/ws/.git/config");
    fs::create_symlink(target, t.root + "/ws/.git/config");
    guard.check_and_restore("t");
    CHECK(fs::is_regular_file(fs::symlink_status(t.root + "/ws/.git/config")));
    CHECK(t.read("ws/.git/config").find("repositoryformatversion") != std::string::npos);
    CHECK(t.read("target") == "[core]\n\tfsmonitor = id\n");
}

TEST_CASE("a renamed .git is moved back and the planted copy moved aside") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    fs::rename(t.root + "/ws/.git", t.root + "/ws/.g0");
    t.put("ws/.git/HEAD", "ref: refs/heads/main\n");
    t.put("ws/.git/config", "[core]\n\tfsmonitor = id\n");
    t.put("ws/.git/hooks/pre-commit", "#!/bin/sh\nid\n", fs::perms(0755));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/.git", "replaced by a directory"));
    CHECK(t.read("ws/.git/config").find("fsmonitor") == std::string::npos);
    CHECK_FALSE(t.exists("ws/.git/hooks/pre-commit"));
    CHECK_FALSE(t.exists("ws/.g0"));
    CHECK(t.exists("ws/.git.mxc-t/hooks/pre-commit"));  // kept aside, where git does not look
}

TEST_CASE("a .git moved deep into the tree is still found and moved back") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    fs::create_directories(t.root + "/ws/a/b");
    fs::rename(t.root + "/ws/.git", t.root + "/ws/a/b/x");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/.git", "moved away"));
    CHECK(t.exists("ws/.git/HEAD"));
}

TEST_CASE("a created commondir and config.worktree are removed") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.git/commondir", "../evil\n");
    t.put("ws/.git/config.worktree", "[core]\n\thooksPath = /tmp\n");
    t.put("ws/.git/info/attributes", "* filter=x\n");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/.git/commondir", "created"));
    CHECK(reported(found, "/.git/config.worktree", "core.hookspath"));
    CHECK_FALSE(t.exists("ws/.git/commondir"));
    CHECK_FALSE(t.exists("ws/.git/config.worktree"));
    CHECK_FALSE(t.exists("ws/.git/info/attributes"));
    CHECK(t.exists("ws/.git/info/exclude"));
}

TEST_CASE(
    "submodules: an existing module's hooks are guarded, a new module with a hook removed, a plain one "
    "kept") {
    Tree t;
    t.repo();
    t.put("ws/.git/modules/lib/HEAD", "ref: refs/heads/main\n");
    t.put("ws/.git/modules/lib/config", "[core]\n\tworktree = ../../../lib\n");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.git/modules/lib/hooks/post-checkout", "#!/bin/sh\nid\n", fs::perms(0755));
    t.put("ws/.git/modules/lib/config", "[core]\n\tfsmonitor = id\n");
    t.put("ws/.git/modules/evil/HEAD", "ref: refs/heads/main\n");
    t.put("ws/.git/modules/evil/config", "[core]\n\tfsmonitor = id\n");
    t.put("ws/.git/modules/plain/HEAD", "ref: refs/heads/main\n");
    t.put("ws/.git/modules/plain/config", "[core]\n\tworktree = ../../../plain\n");
    t.put("ws/.git/modules/plain/hooks/pre-commit.sample", "#!/bin/sh\n");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/modules/lib/hooks/post-checkout", "created"));
    CHECK(reported(found, "/modules/lib/config", "core.fsmonitor"));
    CHECK(reported(found, "/modules/evil", "core.fsmonitor"));
    CHECK_FALSE(t.exists("ws/.git/modules/lib/hooks/post-checkout"));
    CHECK(t.read("ws/.git/modules/lib/config").find("fsmonitor") == std::string::npos);
    CHECK_FALSE(t.exists("ws/.git/modules/evil"));
    CHECK(t.exists("ws/.git/modules/plain/config"));
}

TEST_CASE("linked worktrees: config.worktree, commondir and gitdir are guarded") {
    Tree t;
    t.repo();
    t.put("ws/.git/worktrees/wt/HEAD", "ref: refs/heads/wt\n");
    t.put("ws/.git/worktrees/wt/commondir", "../..\n");
    t.put("ws/.git/worktrees/wt/gitdir", t.root + "/wt/.git\n");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.git/worktrees/wt/commondir", "../../../evil\n");
    t.put("ws/.git/worktrees/wt/config.worktree", "[core]\n\tsshCommand = id\n");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/worktrees/wt/commondir", "modified"));
    CHECK(reported(found, "/worktrees/wt/config.worktree", "core.sshcommand"));
    CHECK(t.read("ws/.git/worktrees/wt/commondir") == "../..\n");
}

TEST_CASE("a worktree whose .git is a file: the pointer and the common directory are guarded") {
    Tree t;
    t.repo("main");
    t.put("main/.git/worktrees/wt/HEAD", "ref: refs/heads/wt\n");
    t.put("main/.git/worktrees/wt/commondir", "../..\n");
    t.put("wt/.git", "gitdir: " + t.root + "/main/.git/worktrees/wt\n");
    auto guard = GitGuard::snapshot({t.root + "/wt"});
    t.put("wt/.git", "gitdir: /var/tmp/evil\n");
    t.put("main/.git/hooks/pre-commit", "#!/bin/sh\nid\n", fs::perms(0755));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "wt/.git", "modified"));
    CHECK(reported(found, "main/.git/hooks/pre-commit", "created"));
    CHECK(t.read("wt/.git") == "gitdir: " + t.root + "/main/.git/worktrees/wt\n");
    CHECK_FALSE(t.exists("main/.git/hooks/pre-commit"));
}

TEST_CASE("a repository the run created is reported with its exec-capable state and kept") {
    Tree t;
    fs::create_directories(t.root + "/ws");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.repo();
    t.put("ws/.git/hooks/pre-commit", "#!/bin/sh\nid\n", fs::perms(0755));
    t.put("ws/.git/config", "[core]\n\tfsmonitor = id\n");
    auto found = guard.check_and_restore("t");
    REQUIRE(found.size() == 1);
    CHECK(found[0].what.find("repository created by the run") != std::string::npos);
    CHECK(found[0].what.find("hook pre-commit") != std::string::npos);
    CHECK(found[0].what.find("core.fsmonitor") != std::string::npos);
    CHECK(found[0].what.find("pre-commit.sample") == std::string::npos);
    CHECK(t.exists("ws/.git/hooks/pre-commit"));
}

TEST_CASE("a plain repository the run created is not reported") {
    Tree t;
    fs::create_directories(t.root + "/ws");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.repo();
    CHECK(guard.check_and_restore("t").empty());
}

TEST_CASE("AbsentGuard removes a file created at a missing protected path") {
    Tree t;
    fs::create_directories(t.root + "/cargo");
    auto guard = AbsentGuard::watch({{"~/.cargo/config.toml", t.root + "/cargo", "config.toml", "rule"}});
    t.put("cargo/config.toml", "[build]\nrustc-wrapper = \"/tmp/evil\"\n");
    t.put("cargo/registry/x", "cache\n");
    auto found = guard.check_and_remove();
    CHECK(reported(found, "cargo/config.toml", "created by the run"));
    CHECK_FALSE(t.exists("cargo/config.toml"));
    CHECK(t.exists("cargo/registry/x"));
}

TEST_CASE("AbsentGuard removes a planted symlink or directory without following links") {
    Tree t;
    fs::create_directories(t.root + "/cargo");
    t.put("outside/keep", "keep\n");
    auto guard = AbsentGuard::watch({{"a", t.root + "/cargo", "config.toml", "rule"},
                                     {"b", t.root + "/cargo", "config", "rule"},
                                     {"c", t.root + "/cargo", "sub/deep/file", "rule"}});
    fs::create_directory_symlink(t.root + "/outside", t.root + "/cargo/config.toml");
    fs::create_directories(t.root + "/cargo/config");
    fs::create_directory_symlink(t.root + "/outside", t.root + "/cargo/config/link");
    fs::create_directory_symlink(t.root + "/outside", t.root + "/cargo/sub");
    auto found = guard.check_and_remove();
    CHECK(found.size() == 3);
    CHECK_FALSE(t.exists("cargo/config.toml"));
    CHECK_FALSE(t.exists("cargo/config"));
    CHECK_FALSE(t.exists("cargo/sub"));
    CHECK(t.read("outside/keep") == "keep\n");
}

TEST_CASE("AbsentGuard leaves a repository the run creates to GitGuard") {
    Tree t;
    fs::create_directories(t.root + "/ws");
    auto guard = AbsentGuard::watch({{"ws/.git/hooks", t.root + "/ws", ".git/hooks", "rule"}});
    CHECK(guard.skipped().size() == 1);
    t.repo();
    CHECK(guard.check_and_remove().empty());
    CHECK(t.exists("ws/.git/hooks"));
}

namespace {
// A git index (version 2) with one gitlink entry.
std::string gitlink_index(const std::string& path) {
    std::string s = std::string("DIRC") + std::string("\0\0\0\2\0\0\0\1", 8);
    s.append(24, '\0');
    s += std::string("\0\0\xe0\0", 4);  // mode 0160000
    s.append(12, '\0');
    s.append(20, '\x11');
    s += '\0';
    s += static_cast<char>(path.size());
    s += path;
    s.append(8 - (62 + path.size()) % 8, '\0');
    return s;
}
}  // namespace

TEST_CASE("a nested repository the run adds as a gitlink, with a hook, is moved aside") {
    Tree t;
    t.repo();
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.repo("ws/sub");
    t.put("ws/sub/.git/config", "[core]\n\tfsmonitor = id\n");
    t.put("ws/.git/index", gitlink_index("sub"));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/sub/.git", "core.fsmonitor"));
    CHECK_FALSE(t.exists("ws/sub/.git"));
    CHECK(t.exists("ws/sub/.git.mxc-t/config"));
}

// The check skips reading the index when it is the launch's file, unchanged
// (same inode, no newer ctime): both ways a run can change it must still
// be seen.
TEST_CASE("a gitlink the run writes into the index in place (same inode) is found") {
    Tree t;
    t.repo();
    t.put("ws/.git/index", gitlink_index("elsewhere"));
    sleep(1);  // the launch's index is clearly older than the launch
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    struct stat before {};
    REQUIRE(::stat((t.root + "/ws/.git/index").c_str(), &before) == 0);
    t.repo("ws/sub");
    t.put("ws/sub/.git/config", "[core]\n\tfsmonitor = id\n");
    t.put("ws/.git/index", gitlink_index("sub"));  // truncates and rewrites the same file
    struct stat after {};
    REQUIRE(::stat((t.root + "/ws/.git/index").c_str(), &after) == 0);
    REQUIRE(after.st_ino == before.st_ino);
    CHECK(reported(guard.check_and_restore("t"), "ws/sub/.git", "core.fsmonitor"));
    CHECK_FALSE(t.exists("ws/sub/.git"));
}

TEST_CASE("an index prepared before the launch and renamed into place by the run is read again") {
    Tree t;
    t.repo();
    t.put("ws/.git/index", gitlink_index("elsewhere"));
    const std::string prepared = t.put("ws/prepared", gitlink_index("sub"));
    sleep(1);  // both files' change times are older than the launch
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.repo("ws/sub");
    t.put("ws/sub/.git/config", "[core]\n\tfsmonitor = id\n");
    REQUIRE(::rename(prepared.c_str(), (t.root + "/ws/.git/index").c_str()) == 0);
    CHECK(reported(guard.check_and_restore("t"), "ws/sub/.git", "core.fsmonitor"));
    CHECK_FALSE(t.exists("ws/sub/.git"));
}

TEST_CASE("the user's own nested repository, unchanged, stays when the run only adds the gitlink") {
    Tree t;
    t.repo();
    t.repo("ws/sub");
    t.put("ws/sub/.git/hooks/pre-commit", "#!/bin/sh\nmy-linter\n", fs::perms(0755));
    sleep(1);  // inode change times have coarse granularity on some filesystems
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.git/index", gitlink_index("sub"));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/sub/.git", "unchanged since before the run"));
    CHECK(t.exists("ws/sub/.git/hooks/pre-commit"));
}

TEST_CASE("a submodule checkout present at launch is guarded like its parent") {
    Tree t;
    t.repo();
    t.repo("ws/sub");
    t.put("ws/.git/index", gitlink_index("sub"));
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/sub/.git/hooks/post-checkout", "#!/bin/sh\nid\n", fs::perms(0755));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/sub/.git/hooks/post-checkout", "created"));
    CHECK_FALSE(t.exists("ws/sub/.git/hooks/post-checkout"));
}

TEST_CASE(
    "AbsentGuard walks from the write root again: renaming a parent and rebuilding the path does not hide "
    "it") {
    Tree t;
    fs::create_directories(t.root + "/home/.config");
    auto guard =
        AbsentGuard::watch({{"~/.config/git/config", t.root + "/home", ".config/git/config", "rule"}});
    fs::rename(t.root + "/home/.config", t.root + "/home/.config-old");
    t.put("home/.config/git/config", "[core]\n\tfsmonitor = id\n");
    auto found = guard.check_and_remove();
    CHECK(reported(found, "home/.config/git/config", "created by the run"));
    CHECK_FALSE(t.exists("home/.config/git/config"));
}

TEST_CASE("AbsentGuard does not watch a path that only exists through the user's own link") {
    Tree t;
    fs::create_directories(t.root + "/dotfiles");
    fs::create_directories(t.root + "/home");
    fs::create_directory_symlink(t.root + "/dotfiles", t.root + "/home/.config");
    auto guard =
        AbsentGuard::watch({{"~/.config/git/config", t.root + "/home", ".config/git/config", "rule"}});
    CHECK(guard.skipped().size() == 1);
    t.put("dotfiles/git/config", "[user]\n\tname = me\n");
    CHECK(guard.check_and_remove().empty());
    CHECK(t.exists("dotfiles/git/config"));
}

TEST_CASE("info replaced by a symlink (attributes selecting a driver) is put back as a directory") {
    Tree t;
    t.repo();
    t.put("planted/attributes", "* diff=evil\n");
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    fs::remove_all(t.root + "/ws/.git/info");
    fs::create_directory_symlink(t.root + "/planted", t.root + "/ws/.git/info");
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "/.git/info", "replaced by a symlink"));
    CHECK(fs::is_directory(fs::symlink_status(t.root + "/ws/.git/info")));
    CHECK_FALSE(t.exists("ws/.git/info/attributes"));
    CHECK(t.read("planted/attributes") == "* diff=evil\n");
}

TEST_CASE("config_hooks_path reads the last core.hooksPath, quoted or with a comment") {
    CHECK(config_hooks_path("[core]\n\tbare = false\n").empty());
    CHECK(config_hooks_path("[core]\n\thooksPath = .husky/_\n") == ".husky/_");
    CHECK(config_hooks_path("[core]\n\thooksPath = a\n[core]\n\tHOOKSPATH = \"b c\"\n") == "b c");
    CHECK(config_hooks_path("[core]\n\thooksPath = ~/hooks # mine\n") == "~/hooks");
    CHECK(config_hooks_path("[core \"x\"]\n\thooksPath = no\n").empty());
}

TEST_CASE("hooks under core.hooksPath in the work tree (husky) are guarded like .git/hooks") {
    Tree t;
    t.repo();
    t.put("ws/.git/config", "[core]\n\thooksPath = .husky/_\n");
    t.put("ws/.husky/_/pre-commit", "#!/bin/sh\nnpm test\n", fs::perms(0755));
    auto guard = GitGuard::snapshot({t.root + "/ws"});
    t.put("ws/.husky/_/pre-commit", "#!/bin/sh\nid\n", fs::perms(0755));
    t.put("ws/.husky/_/post-checkout", "#!/bin/sh\nid\n", fs::perms(0755));
    auto found = guard.check_and_restore("t");
    CHECK(reported(found, "ws/.husky/_/pre-commit", "modified"));
    CHECK(reported(found, "ws/.husky/_/post-checkout", "created"));
    CHECK(t.read("ws/.husky/_/pre-commit") == "#!/bin/sh\nnpm test\n");
    CHECK_FALSE(t.exists("ws/.husky/_/post-checkout"));
}
