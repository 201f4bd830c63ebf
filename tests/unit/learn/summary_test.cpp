#include <doctest/doctest.h>

#include "learn/summary.hpp"
#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

TEST_CASE("the summary names what was added, denied, and written to the throwaway layer") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/.tool/x", "/x/tool"), read("/home/alice/.ssh/id_rsa", "/x/tool"),
                   write("/home/alice/.state/s", "/x/tool")};
    l.obs.written_to_layer = {"/home/alice/.state/s"};
    const std::string text = summary_text(l.run(), {"default", "out.toml", 0, false});
    CHECK(contains(text, "1 read rule(s), 1 write rule(s), 0 host(s) added on top of default"));
    CHECK(contains(text, "  read   ~/.tool  (tool, 1 path(s))\n"));
    CHECK(contains(text, "denied by the base profile, not learned"));
    CHECK(contains(text, "  deny   ~/.ssh/id_rsa  (tool)\n"));
    CHECK(contains(text, "went to a throwaway layer and are gone (the host is unchanged)"));
    CHECK(contains(text, "  wrote  ~/.state/s\n"));
    CHECK(contains(text, "wrote out.toml"));
    CHECK_FALSE(contains(text, "exited with status"));
}

TEST_CASE("the summary says the profile was written although the command failed") {
    Learned l{base()};
    const std::string text = summary_text(l.run(), {"default", "out.toml", 3, false});
    CHECK(contains(text, "exited with status 3"));
    CHECK(contains(text, "written anyway"));
}

TEST_CASE("refused destinations point at --allow-net-learning and what it gives away") {
    Learned l{base()};
    l.obs.hosts = {NetObservation{"pypi.org", 443, "connect", false, "/usr/bin/pip"}};
    const auto s = l.run();
    CHECK(contains(
        summary_text(s, {"default", "", 0, false}),
        "rerun with --allow-net-learning to let them through; the command can then send data anywhere"));
    CHECK_FALSE(contains(summary_text(s, {"default", "", 0, true}), "rerun with --allow-net-learning"));
}

TEST_CASE("recorded names reach the terminal with control characters spelled out") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/.t\x1b]0;x\x07/f", "/x/ev\x1b[2Jil")};
    const std::string text = summary_text(l.run(), {"default", "", 0, false});
    CHECK_FALSE(contains(text, "\x1b"));
    CHECK_FALSE(contains(text, "\x07"));
}
