// Issue 10, attacks 1 and 3: a run plants something that the user's own host
// tools trust afterwards. Run 1 plants inside mxc; then the host's git (or
// cargo) runs, as the user would, and must run nothing the run wrote. The
// control plants the same thing without mxc and shows the host tool running
// the payload (a marker file), so a plant that does not work can never pass.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "escape_support.hpp"

namespace fs = std::filesystem;
using mxc::escape::exists;
using mxc::escape::profile_path;
using mxc::escape::Scene;

namespace {

// The host side: the user's own git, in the workspace, as the test identity.
mxc::test::RunResult host(const Scene& s, std::vector<std::string> argv, const std::string& cwd = "") {
    mxc::test::RunSpec spec;
    spec.argv = {"/usr/bin/env", "HOME=" + s.home, "GIT_CONFIG_NOSYSTEM=1", "PATH=/usr/bin:/bin"};
    spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
    spec.cwd = cwd.empty() ? s.ws : cwd;
    return mxc::test::run(spec);
}

const std::vector<std::string> kGit = {"/usr/bin/git", "-c", "user.name=u", "-c", "user.email=u@example.com"};

std::vector<std::string> git(std::vector<std::string> args) {
    std::vector<std::string> argv = kGit;
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

// A scene whose workspace is a real repository with one commit, under the
// coding-agent-like profile (only .git/hooks and .git/config read-only).
void make_repo(Scene& s) {
    s.profile = profile_path("escape-git.toml");
    fs::remove_all(s.ws + "/.git");
    s.plant("ws/README", "hello\n");
    s.plant("home/.cargo/registry/.keep", "");
    REQUIRE(host(s, git({"init", "-q", "-b", "main"})).status == 0);
    REQUIRE(host(s, git({"add", "README"})).status == 0);
    REQUIRE(host(s, git({"commit", "-qm", "init"})).status == 0);
}

// What the user does next on the host: status, then a commit (hooks run).
void use_host_git(const Scene& s) {
    (void)host(s, git({"status"}));
    (void)host(s, git({"commit", "--allow-empty", "-qm", "next"}));
}

std::string mark(const Scene& s, const std::string& name) {
    return s.root + "/pwned-" + name;
}

// Runs `script` in the workspace inside mxc (blocked = after the run, host
// git creates none of `markers`) and in a fresh scene without mxc (the
// control: host git creates every marker).
void check_git_plant(const std::string& what, const std::string& (*script)(const Scene&, std::string&),
                     const std::vector<std::string>& markers, void (*setup)(const Scene&) = nullptr) {
    {
        Scene s;
        make_repo(s);
        if (setup != nullptr) setup(s);
        std::string text;
        auto inside = s.inside({"-c", script(s, text)}, "/bin/sh");
        INFO("inside: status ", inside.status, "\nstderr:\n", inside.err);
        CHECK_MESSAGE((inside.status == 0 || inside.status == 1), what, ": mxc itself failed");
        use_host_git(s);
        for (const auto& m : markers) {
            if (exists(mark(s, m))) FAIL_CHECK("ESCAPE: ", what, ": host git ran the planted ", m);
        }
        // What was undone is reported (unless mxc blocked the plant outright).
        if (inside.status == 0) CHECK(inside.err.find("mxc: tamper: ") != std::string::npos);
    }
    {
        Scene s;
        make_repo(s);
        if (setup != nullptr) setup(s);
        std::string text;
        auto bare = s.bare({"-c", script(s, text)}, "/bin/sh");
        INFO("bare: status ", bare.status, "\nstderr:\n", bare.err);
        REQUIRE_MESSAGE(bare.status == 0, "control: the plant itself failed");
        use_host_git(s);
        for (const auto& m : markers) {
            CHECK_MESSAGE(exists(mark(s, m)), "control failed: host git did not run the planted ", m,
                          " without mxc, so this test proves nothing");
        }
    }
}

const std::string& rename_git(const Scene& s, std::string& text) {
    text =
        "set -e; mv .git .g0 && mkdir .git && cp -a .g0/. .git/ && "
        "printf '#!/bin/sh\\ntouch " +
        mark(s, "hook") +
        "\\n' > .git/hooks/pre-commit && "
        "chmod +x .git/hooks/pre-commit && "
        "git config core.fsmonitor 'touch " +
        mark(s, "fsmonitor") + "; false'";
    return text;
}

const std::string& commondir(const Scene& s, std::string& text) {
    // With .git/commondir, git takes config and hooks from the directory it
    // names: the read-only binds on .git/config and .git/hooks are bypassed.
    text =
        "set -e; cp -a .git .evil && rm -rf .evil/hooks && mkdir .evil/hooks && "
        "printf '#!/bin/sh\\ntouch " +
        mark(s, "hook") +
        "\\n' > .evil/hooks/pre-commit && "
        "chmod +x .evil/hooks/pre-commit && "
        "git --git-dir=.evil config core.fsmonitor 'touch " +
        mark(s, "fsmonitor") +
        "; false' && "
        "echo ../.evil > .git/commondir";
    return text;
}

const std::string& submodule(const Scene& s, std::string& text) {
    // An absorbed submodule: its git directory lives in .git/modules/sub,
    // and host `git status` runs `git status` inside it (fsmonitor included).
    text =
        "set -e; G='git -c user.name=a -c user.email=a@example.com'; "
        "mkdir sub && cd sub && git init -q && $G commit -q --allow-empty -m s && cd .. && "
        "git update-index --add --cacheinfo 160000,$(git -C sub rev-parse HEAD),sub && "
        "mkdir -p .git/modules && mv sub/.git .git/modules/sub && "
        "echo 'gitdir: ../.git/modules/sub' > sub/.git && "
        "git --git-dir=.git/modules/sub config core.worktree ../../../sub && "
        "git --git-dir=.git/modules/sub config core.fsmonitor 'touch " +
        mark(s, "fsmonitor") + "; false'";
    return text;
}

// Host cargo, when this identity can run it (rustup lives in /root here):
// `cargo check` in a fresh project, with $HOME/.cargo as CARGO_HOME.
bool host_cargo_check(const Scene& s, bool& ran) {
    const std::string cargo = "/root/.cargo/bin/cargo";
    mxc::test::RunSpec probe;
    probe.argv = {"/usr/bin/env", "RUSTUP_HOME=/root/.rustup", cargo, "--version"};
    ran = access(cargo.c_str(), F_OK) == 0 && mxc::test::run(probe).status == 0;  // as the test identity
    if (!ran) return false;
    s.plant("proj/Cargo.toml", "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    s.plant("proj/src/main.rs", "fn main() {}\n");
    mxc::test::RunSpec spec;
    spec.argv = {"/usr/bin/env",
                 "HOME=" + s.home,
                 "RUSTUP_HOME=/root/.rustup",
                 "PATH=/root/.cargo/bin:/usr/bin:/bin",
                 cargo,
                 "check",
                 "--offline",
                 "-q"};
    spec.cwd = s.root + "/proj";
    spec.timeout = std::chrono::seconds(120);
    auto r = mxc::test::run(spec);
    if (r.status != 0) MESSAGE("host cargo check: status ", r.status, ": ", r.err);
    return r.status == 0;
}

// Run 1 writes a cargo config with build.rustc-wrapper under both names
// cargo reads; the wrapper leaves a marker and runs rustc.
std::string plant_cargo_config(const Scene& s) {
    const std::string wrapper =
        s.plant("ws/wrapper.sh", "#!/bin/sh\ntouch " + mark(s, "cargo") + "\nexec \"$@\"\n");
    fs::permissions(wrapper, fs::perms(0755));
    const std::string config = "[build]\\nrustc-wrapper = \"" + wrapper + "\"\\n";
    return "printf '" + config + "' > \"$HOME/.cargo/config.toml\" && printf '" + config +
           "' > \"$HOME/.cargo/config\"";
}
const std::string& nested_repo(const Scene& s, std::string& text) {
    // A plain nested repository (its .git a directory in the work tree) that
    // the index lists as a gitlink: host `git status` enters it and runs its
    // core.fsmonitor. Nothing under the parent's .git is touched.
    text =
        "set -e; G='git -c user.name=a -c user.email=a@example.com'; "
        "mkdir sub && cd sub && git init -q && $G commit -q --allow-empty -m s && "
        "git config core.fsmonitor 'touch " +
        mark(s, "fsmonitor") +
        "; false' && cd .. && "
        "git update-index --add --cacheinfo 160000,$(git -C sub rev-parse HEAD),sub";
    return text;
}

// The user keeps hooks in the work tree (husky): core.hooksPath = .husky/_.
void husky(const Scene& s) {
    const std::string hook = s.plant("ws/.husky/_/pre-commit", "#!/bin/sh\nexit 0\n");
    fs::permissions(hook, fs::perms(0755));
    REQUIRE(host(s, git({"config", "core.hooksPath", ".husky/_"})).status == 0);
}

const std::string& husky_hook(const Scene& s, std::string& text) {
    text = "printf '#!/bin/sh\\ntouch " + mark(s, "hook") + "\\n' > .husky/_/pre-commit";
    return text;
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("attack 1: a renamed .git with a planted hook and core.fsmonitor runs nothing in host git") {
        check_git_plant("rename .git, plant hook + core.fsmonitor", rename_git, {"hook", "fsmonitor"});
    }

    TEST_CASE(
        "attack 1, commondir: .git/commondir pointing at a planted git directory runs nothing in host git") {
        check_git_plant("plant .git/commondir", commondir, {"hook", "fsmonitor"});
    }

    TEST_CASE(
        "attack 1, submodule: a planted .git/modules/<name> with core.fsmonitor runs nothing in host git") {
        check_git_plant("plant .git/modules/sub", submodule, {"fsmonitor"});
    }

    TEST_CASE(
        "attack 1, gitlink: a nested repository added to the index with core.fsmonitor runs nothing in host "
        "git") {
        check_git_plant("nested repository as a gitlink", nested_repo, {"fsmonitor"});
    }

    TEST_CASE(
        "attack 1, core.hooksPath: a hook rewritten in the work tree's hooks directory runs nothing in host "
        "git") {
        check_git_plant("rewrite .husky/_/pre-commit", husky_hook, {"hook"}, husky);
    }

    TEST_CASE(
        "attack 3: a missing ~/.cargo/config.toml (and config) created by a run is removed, host cargo runs "
        "nothing") {
        {
            Scene s;
            make_repo(s);
            auto inside = s.inside({"-c", plant_cargo_config(s)}, "/bin/sh");
            INFO("inside: status ", inside.status, "\nstderr:\n", inside.err);
            CHECK(inside.status == 0);  // the plant works inside; what matters is what is left after
            CHECK_FALSE(exists(s.home + "/.cargo/config.toml"));
            CHECK_FALSE(exists(s.home + "/.cargo/config"));
            CHECK(inside.err.find("mxc: tamper: " + s.home + "/.cargo/config.toml") != std::string::npos);
            bool ran = false;
            host_cargo_check(s, ran);
            if (exists(mark(s, "cargo"))) FAIL_CHECK("ESCAPE: host cargo ran the wrapper planted by the run");
        }
        {
            Scene s;
            make_repo(s);
            auto bare = s.bare({"-c", plant_cargo_config(s)}, "/bin/sh");
            REQUIRE_MESSAGE(bare.status == 0, "control: the plant itself failed: ", bare.err);
            CHECK(exists(s.home + "/.cargo/config.toml"));
            bool ran = false;
            const bool built = host_cargo_check(s, ran);
            if (!ran) {
                MESSAGE(
                    "host cargo not runnable by this identity: control limited to the planted file "
                    "persisting");
            } else {
                CHECK(built);
                CHECK_MESSAGE(exists(mark(s, "cargo")),
                              "control failed: host cargo did not run the planted wrapper");
            }
        }
    }

    TEST_CASE(
        "attack 3, symlink: a missing ~/.cargo/config.toml made a link to / does not widen the next run") {
        const std::string through = "/.cargo/config.toml";
        {
            Scene s;
            make_repo(s);
            auto run1 = s.inside(
                {"-c", "ln -s / \"$HOME/.cargo/config.toml\" && ln -s / \"$HOME/.cargo/config\""}, "/bin/sh");
            INFO("run 1: status ", run1.status, "\nstderr:\n", run1.err);
            CHECK(run1.status == 0);
            CHECK_FALSE(exists(s.home + "/.cargo/config.toml"));
            CHECK_FALSE(exists(s.home + "/.cargo/config"));
            CHECK(run1.err.find("a symlink to /") != std::string::npos);
            // Run 2: the read rule ~/.cargo/config.toml must not have become "/".
            mxc::escape::expect_blocked(
                s.inside({"read", s.home + through + s.outside + "/secret", mxc::escape::kSecret}),
                "read the host through ~/.cargo/config.toml -> /");
        }
        {
            Scene s;
            make_repo(s);
            REQUIRE(s.bare({"-c", "ln -s / \"$HOME/.cargo/config.toml\""}, "/bin/sh").status == 0);
            mxc::escape::expect_control(
                s.bare({"read", s.home + through + s.outside + "/secret", mxc::escape::kSecret}),
                "read the host through ~/.cargo/config.toml -> /");
        }
    }

    TEST_CASE("the agent can still commit, branch and fetch in its workspace under coding-agent") {
        Scene s;
        make_repo(s);
        s.profile = "coding-agent";
        // origin: a bare repository in the workspace, one commit ahead.
        REQUIRE(host(s, git({"clone", "-q", "--bare", s.ws, s.ws + "/origin.git"})).status == 0);
        REQUIRE(host(s, git({"remote", "add", "origin", s.ws + "/origin.git"})).status == 0);
        REQUIRE(host(s, git({"clone", "-q", s.ws + "/origin.git", s.root + "/other"})).status == 0);
        REQUIRE(host(s, git({"commit", "--allow-empty", "-qm", "upstream"}), s.root + "/other").status == 0);
        REQUIRE(host(s, git({"push", "-q", "origin", "main"}), s.root + "/other").status == 0);
        const std::string upstream = host(s, {"/usr/bin/git", "rev-parse", "HEAD"}, s.root + "/other").out;

        auto run = s.inside({"-c",
                             "set -e; G='git -c user.name=a -c user.email=a@example.com'; "
                             "$G commit --allow-empty -qm agent-work && git checkout -qb feature && "
                             "$G commit --allow-empty -qm feature-work && git fetch -q origin && "
                             "git rev-parse origin/main"},
                            "/bin/sh");
        INFO("status ", run.status, "\nstderr:\n", run.err);
        REQUIRE(run.status == 0);
        CHECK(run.out == upstream);
        CHECK(run.err.find("mxc: tamper:") == std::string::npos);  // ordinary git work is not tampering
        CHECK(host(s, {"/usr/bin/git", "log", "-1", "--format=%s", "feature"}).out == "feature-work\n");
        CHECK(host(s, {"/usr/bin/git", "log", "-1", "--format=%s", "main"}).out == "agent-work\n");
        CHECK(host(s, {"/usr/bin/git", "rev-parse", "origin/main"}).out == upstream);
    }
}
