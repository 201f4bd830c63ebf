#include <doctest/doctest.h>

#include "learn/path_roots.hpp"
#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

TEST_CASE("paths are written with {workspace} and ~, the workspace winning inside home") {
    const PathAreas a{"/home/alice/proj", "/home/alice"};
    CHECK(profile_path("/home/alice/proj/out", a) == "{workspace}/out");
    CHECK(profile_path("/home/alice/proj", a) == "{workspace}");
    CHECK(profile_path("/home/alice/.rustup", a) == "~/.rustup");
    CHECK(profile_path("/home/alice/projects", a) == "~/projects");  // whole components only
    CHECK(profile_path("/srv/data", a) == "/srv/data");
}

TEST_CASE("a workspace that is home itself is written as ~") {
    const PathAreas a{"/home/alice", "/home/alice"};
    CHECK(profile_path("/home/alice/.npm", a) == "~/.npm");
}

TEST_CASE("the root of a path is the first directory below the deepest shared one") {
    const PathAreas a{"/home/alice/src/proj", "/home/alice"};
    CHECK(root_of("/home/alice/.rustup/toolchains/x", a)->path == "/home/alice/.rustup");
    CHECK(root_of("/home/alice/.rustup/toolchains/x", a)->tool);
    CHECK(root_of("/home/alice/data/x/y", a)->path == "/home/alice/data");
    CHECK_FALSE(root_of("/home/alice/data/x/y", a)->tool);
    // The workspace's parents are shared: its files never collapse above it.
    CHECK(root_of("/home/alice/src/proj/a/b", a)->path == "/home/alice/src/proj");
    CHECK_FALSE(root_of("/home/alice/src/proj/a/b", a)->tool);
    CHECK(root_of("/opt/tool/bin/x", a)->path == "/opt/tool");
    CHECK_FALSE(root_of("/home/alice/src", a).has_value());
    CHECK_FALSE(root_of("/var/lib", a).has_value());
    CHECK_FALSE(root_of("/run/user", a).has_value());
}

TEST_CASE("learned workspace paths stay relative to the workspace") {
    Learned l{base("readonly")};
    for (int i = 0; i < 6; ++i)
        l.obs.files.push_back(write("/home/alice/proj/build/o" + std::to_string(i), "/x/cc"));
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"{workspace}/build"});
}
