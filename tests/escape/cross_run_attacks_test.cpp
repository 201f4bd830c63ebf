// Attacks across runs (issue "boundary integrity"): run 1 plants something
// inside the boundary, run 2 (same or another profile) must not be widened by
// it. Each control plays run 2's collection bare, proving the plant works.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "escape_support.hpp"

using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::kSecret;
using mxc::escape::Scene;

namespace {

// Runs `script` with /bin/sh inside the sandbox; the plant must succeed.
void plant_inside(const Scene& s, const std::string& script) {
    auto r = s.inside({"-c", script}, "/bin/sh");
    INFO("run 1 (plant) stderr:\n", r.err);
    REQUIRE_MESSAGE(r.status == 0, "run 1 could not plant: ", script);
}

// Run 1 plants a link on a rule path that was missing at launch. mxc removes
// it after run 1 (I3: a protected path missing at launch stays absent), so
// plant it again bare, as a run whose mxc was SIGKILLed would leave it: run
// 2's plan must still not follow it (I1).
void plant_link_that_survives(const Scene& s, const std::string& script, const std::string& link) {
    plant_inside(s, script);
    CHECK_FALSE_MESSAGE(std::filesystem::exists(std::filesystem::symlink_status(link)),
                        "I3: the link run 1 planted at a missing protected path must be removed after it");
    auto r = s.bare({"-c", script}, "/bin/sh");
    REQUIRE_MESSAGE(r.status == 0, "could not plant bare: ", script, ": ", r.err);
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("a link planted at a rule path by one run does not widen the next run") {
        // Run 1: vendor/lib does not exist; the agent makes it a link to /.
        // Run 2: the same --allow-read rule must not bind the host's root.
        Scene s;
        const std::string rule = s.ws + "/vendor/lib";
        s.flags = {"--allow-read", rule};
        plant_link_that_survives(s, "mkdir -p vendor && ln -s / vendor/lib", rule);
        const std::string through = rule + s.outside + "/secret";
        expect_blocked(s.inside({"read", through, kSecret}), "read outside through a planted rule link");
        expect_control(s.bare({"read", through, kSecret}), "read outside through a planted rule link");
    }

    TEST_CASE("a link planted in a parent of a rule path does not widen the next run") {
        // Run 1 makes vendor a link to the scene root; run 2's rule
        // {workspace}/vendor/outside would resolve to the unlisted outside/.
        Scene s;
        const std::string rule = s.ws + "/vendor/outside";
        s.flags = {"--allow-read", rule};
        plant_link_that_survives(s, "ln -s " + s.root + " vendor", s.ws + "/vendor");
        const std::string through = rule + "/secret";
        expect_blocked(s.inside({"read", through, kSecret}), "read outside through a planted parent link");
        expect_control(s.bare({"read", through, kSecret}), "read outside through a planted parent link");
    }

    TEST_CASE("a link planted where a missing write directory is created at launch is not followed") {
        // Issue 12, item 3: mxc creates missing write-rule directories below
        // the home. Run 1 (coding-agent: ~/.cache writable) plants
        // ~/.cache/ccache -> outside/made, which does not exist; run 2
        // (build: a write rule on ~/.cache/ccache) must not create
        // outside/made through it.
        Scene s;
        s.profile = "coding-agent";
        const std::string made = s.outside + "/made";
        const std::string link = s.home + "/.cache/ccache";
        plant_inside(s, "mkdir -p \"$HOME/.cache\" && ln -s " + made + " \"$HOME/.cache/ccache\"");
        REQUIRE(std::filesystem::is_symlink(link));
        s.profile = "build";
        auto r = s.inside({"-c", "true"}, "/bin/sh");
        INFO("run 2 stderr:\n", r.err);
        CHECK(r.status == 0);
        CHECK(r.err.find(link + " is a symlink: not followed") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(made));
        // Control: a creator that resolves the rule path first, as the host
        // facts do, and creates what it names lands outside.
        auto c = s.bare({"-c", "mkdir -p \"$(readlink -m \"$HOME/.cache/ccache\")\""}, "/bin/sh");
        CHECK(c.status == 0);
        CHECK(std::filesystem::is_directory(made));
    }

    TEST_CASE("renaming .git to plant a fresh one is refused: .git is pinned") {
        Scene s;
        s.profile = "coding-agent";  // the escape profile makes all of .git read-only
        const std::string script = "mv .git .g0";
        expect_blocked(s.inside({"-c", script + " || exit 1"}, "/bin/sh"), "rename .git");
        CHECK(std::filesystem::is_directory(s.ws + "/.git"));
        CHECK_FALSE(std::filesystem::exists(s.ws + "/.g0"));
        expect_control(s.bare({"-c", script}, "/bin/sh"), "rename .git");
    }

    TEST_CASE("under readonly, the protected-names pin does not make .git writable") {
        // readonly extends default (workspace write) and makes it read-only;
        // .git is pinned only where the run may write anyway.
        Scene s;
        s.profile = "readonly";
        const std::string target = s.ws + "/.git/pwned";
        expect_blocked(s.inside({"write", target}), "write into .git under readonly");
        CHECK_FALSE(mxc::escape::exists(target));
        expect_control(s.bare({"write", target}), "write into .git under readonly");
    }

    TEST_CASE("a .git file (worktree or submodule) cannot be pointed at a repository of the run's choosing") {
        // Host git follows "gitdir:" and obeys that directory's config
        // (core.fsmonitor runs a command on the user's next git status).
        Scene s;
        s.profile = "coding-agent";
        std::filesystem::remove_all(s.ws + "/.git");
        s.plant("realgit/config", "[core]\n\tbare = false\n");
        s.plant("ws/.git", "gitdir: " + s.root + "/realgit\n");
        const std::string script = "printf 'gitdir: " + s.ws + "/evil\\n' > .git";
        expect_blocked(s.inside({"-c", script + " || exit 1"}, "/bin/sh"), "rewrite the .git file");
        CHECK(mxc::escape::slurp(s.ws + "/.git") == "gitdir: " + s.root + "/realgit\n");
        expect_control(s.bare({"-c", script}, "/bin/sh"), "rewrite the .git file");
    }

    TEST_CASE("a link at .git/hooks to / planted before the run binds nothing of the host") {
        // The run 1 (mv .git; mkdir .git; ln -s / .git/hooks) is now
        // refused above; here the link is planted bare, as a run on an older
        // mxc would have left it, and the hooks rule must not follow it.
        Scene s;
        s.flags = {"--allow-read", s.ws + "/.git/hooks"};
        std::filesystem::create_directory_symlink("/", s.ws + "/.git/hooks");
        const std::string through = s.ws + "/.git/hooks" + s.outside + "/secret";
        expect_blocked(s.inside({"read", through, kSecret}), "read the host through .git/hooks -> /");
        expect_control(s.bare({"read", through, kSecret}), "read the host through .git/hooks -> /");
    }

    TEST_CASE("across profiles: a link coding-agent leaves in ~/.cache does not make build bind the home") {
        Scene s;
        s.plant("home/.cache/pip/keep", "");
        s.profile = "coding-agent";
        plant_inside(s, "ln -s \"$HOME\" \"$HOME/.cache/ccache\"");
        REQUIRE(std::filesystem::is_symlink(s.home + "/.cache/ccache"));
        s.profile = "build";
        s.flags.clear();  // the scene's --allow-read of the home would make it read-only anyway
        const std::string through = s.home + "/.cache/ccache/pwned";
        expect_blocked(s.inside({"write", through}), "write the home through ~/.cache/ccache -> ~");
        CHECK_FALSE(std::filesystem::exists(s.home + "/pwned"));
        expect_control(s.bare({"write", through}), "write the home through ~/.cache/ccache -> ~");
        CHECK(std::filesystem::exists(s.home + "/pwned"));
    }
}
