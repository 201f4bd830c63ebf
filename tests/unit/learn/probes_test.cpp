#include <doctest/doctest.h>

#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

TEST_CASE("a probe (ENOENT) is not learned as a read") {
    Learned l{base()};
    l.obs.files = {probe("/home/alice/.pyenv/version"), probe("/srv/site/x")};
    auto s = l.run();
    CHECK(s.read.empty());
    CHECK(s.not_learned.empty());
}

TEST_CASE("a missing path the command then created is learned as a write") {
    Learned l{base()};
    l.obs.files = {probe("/home/alice/.myapp/state.json", "/x/myapp"),
                   write("/home/alice/.myapp/state.json", "/x/myapp")};
    l.kinds["/home/alice/.myapp"] = PathKind::Missing;
    l.kinds["/home/alice/.myapp/state.json"] = PathKind::Missing;
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"~/.myapp"});
    CHECK(s.read.empty());
}

TEST_CASE("a new file goes under a write rule on its directory, not on the file") {
    Learned l{base()};
    l.obs.files = {write("/srv/out/report.txt", "/x/tool")};
    l.kinds["/srv/out/report.txt"] = PathKind::Missing;
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"/srv/out"});
}

TEST_CASE("a new file directly in home is not learned: the rule would open all of ~") {
    Learned l{base()};
    l.obs.files = {write("/home/alice/.toolrc", "/x/tool")};
    l.kinds["/home/alice/.toolrc"] = PathKind::Missing;
    auto s = l.run();
    CHECK(s.write.empty());
    REQUIRE(paths(s.not_learned) == std::vector<std::string>{"~/.toolrc"});
    CHECK(contains(s.not_learned[0].why, "new file directly in a shared directory"));
}

TEST_CASE("an existing file written outside the base is learned as itself") {
    Learned l{base()};
    l.obs.files = {write("/home/alice/.toolrc", "/x/tool")};
    l.kinds["/home/alice/.toolrc"] = PathKind::File;
    l.obs.written_to_layer = {"/home/alice/.toolrc"};
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"~/.toolrc"});
    CHECK(s.layer == std::vector<std::string>{"~/.toolrc"});
}
