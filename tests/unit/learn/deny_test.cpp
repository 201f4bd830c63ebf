#include <doctest/doctest.h>

#include <algorithm>

#include "learn/toml_writer.hpp"
#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

TEST_CASE("a path under a base deny rule is listed as denied and never learned") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/.ssh/id_rsa", "/usr/bin/ssh"),
                   write("/home/alice/.aws/config", "/x/aws")};
    auto s = l.run();
    CHECK(s.read.empty());
    CHECK(s.write.empty());
    CHECK(paths(s.denied) == std::vector<std::string>{"~/.aws/config", "~/.ssh/id_rsa"});
    CHECK(s.denied[1].programs == std::vector<std::string>{"ssh"});
}

TEST_CASE("the denied path stays denied under the learned profile") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/.ssh/id_rsa", "/usr/bin/ssh"), read("/home/alice/.ssh/known_hosts")};
    for (int i = 0; i < 10; ++i) l.obs.files.push_back(read("/home/alice/notes/n" + std::to_string(i)));
    auto s = l.run();
    auto text = write_profile(s, {"default", "ssh host", ""});
    REQUIRE(text.ok());
    CHECK(contains(*text, "#   ~/.ssh/id_rsa (ssh): denied by the base profile"));
    auto p = mxc::policy::load_policy_text(*text, "/home/alice/proj/out.toml", {}, context());
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    for (const auto& r : p->paths) {
        if (r.path == "/home/alice/.ssh") CHECK(r.access == mxc::policy::Access::Deny);
        CHECK(r.path.rfind("/home/alice/.ssh/", 0) != 0);  // no learned rule inside it
    }
}

TEST_CASE("a write where the base keeps a read-only carve-out is not learned") {
    Learned l{base("coding-agent")};  // ~/.cargo writable, ~/.cargo/bin read-only
    l.obs.files = {write("/home/alice/.cargo/bin/cargo-evil", "/x/cargo")};
    auto s = l.run();
    CHECK(s.write.empty());
    REQUIRE(s.not_learned.size() == 1);
    CHECK(contains(s.not_learned[0].why, "kept read-only by the base profile"));
}

TEST_CASE("files the user's own tools run are never learned as writable") {
    Learned l{base()};
    l.obs.files = {write("/home/alice/.bashrc", "/x/installer"),
                   write("/home/alice/.gitconfig", "/usr/bin/git")};
    auto s = l.run();
    CHECK(s.write.empty());
    CHECK(paths(s.not_learned) == std::vector<std::string>{"~/.bashrc", "~/.gitconfig"});
}

TEST_CASE("a write rule is not widened over a protected file in a tool directory") {
    Learned l{base()};
    l.obs.files = {write("/home/alice/.claude/projects/a.jsonl", "/x/claude"),
                   write("/home/alice/.claude/todos/b.json", "/x/claude")};
    auto s = l.run();
    // ~/.claude would make ~/.claude/settings.json (hooks) writable.
    CHECK(rules(s.write) == std::vector<std::string>{"~/.claude/projects", "~/.claude/todos"});
}

TEST_CASE("an attempt on a hidden deny path (a failed lookup while learning) is still listed as denied") {
    Learned l{base()};
    l.obs.files = {probe("/home/alice/.ssh/id_rsa", "/usr/bin/ssh")};
    auto s = l.run();
    CHECK(s.read.empty());
    CHECK(paths(s.denied) == std::vector<std::string>{"~/.ssh/id_rsa"});
}
