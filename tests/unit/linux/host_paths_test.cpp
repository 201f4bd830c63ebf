// gather_host_facts' path walk (host_facts.cpp): a directory holding many
// rule paths is listed once instead of lstat'ing every name. What the walk
// reports must not depend on that: every path is compared with a walk of
// that path alone (observe_path), which never lists.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "platform/linux/apply/host_facts.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using mxc::lnx::gather_host_facts;
using mxc::lnx::observe_path;
using mxc::policy::Access;
using mxc::policy::PathRule;

namespace {

void touch(const std::string& p) {
    ::close(::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

}  // namespace

TEST_CASE("host paths: names in a crowded directory are found as a lone walk finds them") {
    const mxc::test::TempDir t;
    const std::string home = t.path() + "/home";
    fs::create_directories(home + "/.config/git");
    fs::create_directories(t.path() + "/elsewhere");
    touch(home + "/.gitconfig");
    touch(home + "/.npmrc");
    touch(t.path() + "/elsewhere/target");
    REQUIRE(::symlink((t.path() + "/elsewhere/target").c_str(), (home + "/.netrc").c_str()) == 0);
    REQUIRE(::symlink("missing-target", (home + "/.dangling").c_str()) == 0);
    REQUIRE(::symlink((t.path() + "/elsewhere").c_str(), (home + "/.cache").c_str()) == 0);

    mxc::policy::ResolvedPolicy policy;
    // Enough names below one directory to list it; most do not exist.
    for (const char* name : {".gitconfig", ".npmrc", ".netrc", ".dangling", ".aws", ".ssh", ".docker",
                             ".kube", ".config/git", ".config/gh", ".cache/target", ".cache/none"}) {
        PathRule r;
        r.path = home + "/" + name;
        r.access = Access::Read;
        policy.paths.push_back(r);
    }
    // And the root itself crowded, as every profile's is: "/" is no name in it.
    for (const char* top : {"/usr", "/etc", "/tmp", "/proc", "/dev", "/no-such-top-level-dir"}) {
        PathRule r;
        r.path = top;
        policy.paths.push_back(r);
    }
    const auto facts = gather_host_facts(policy, nullptr);
    for (const auto& r : policy.paths) {
        CAPTURE(r.path);
        const auto it = facts.paths.find(r.path);
        REQUIRE(it != facts.paths.end());
        const auto alone = observe_path(r.path, "", "");
        CHECK(it->second.exists == alone.exists);
        CHECK(it->second.resolved == alone.resolved);
        CHECK(it->second.is_dir == alone.is_dir);
        CHECK(it->second.link_target == alone.link_target);
        CHECK(it->second.links.size() == alone.links.size());
    }
    // The control: the walk alone really sees both kinds.
    CHECK(observe_path(home + "/.gitconfig", "", "").exists);
    CHECK(observe_path(home + "/.netrc", "", "").exists);
    CHECK(observe_path(home + "/.cache/target", "", "").exists);
    CHECK_FALSE(observe_path(home + "/.aws", "", "").exists);
    CHECK_FALSE(observe_path(home + "/.dangling", "", "").exists);
    CHECK(observe_path("/usr", "", "").exists);
    CHECK(observe_path("/usr", "", "").exists);
}
