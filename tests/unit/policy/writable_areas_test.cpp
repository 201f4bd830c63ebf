#include <doctest/doctest.h>

#include <algorithm>

#include "policy/writable_areas.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::context;

namespace {

bool same_or_under(const std::string& path, const std::string& dir) {
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace

TEST_CASE("every home directory a built-in profile makes writable is a writable area of every profile") {
    // Links planted there by a run under one profile must be untrusted when
    // another profile's plan is compiled: the list is fixed in code, and
    // this test keeps it in step with policies/*.toml.
    const std::string home = context().home;
    auto readonly = load_policy("readonly", {}, context());
    REQUIRE(readonly.ok());
    const auto areas = writable_area_roots(readonly.value());
    for (const auto& p : builtin_profiles()) {
        auto loaded = load_policy(p.name, {}, context());
        REQUIRE(loaded.ok());
        for (const auto& rule : loaded.value().paths) {
            if (rule.access != Access::Write || !same_or_under(rule.path, home)) continue;
            if (same_or_under(rule.path, context().workspace)) continue;
            CAPTURE(p.name);
            CAPTURE(rule.path);
            CHECK(std::any_of(areas.begin(), areas.end(),
                              [&](const std::string& a) { return same_or_under(rule.path, a); }));
        }
    }
}

TEST_CASE("the workspace, write rules and shared temp directories are writable areas") {
    auto p = load_policy("default", {}, context());
    REQUIRE(p.ok());
    const auto areas = writable_area_roots(p.value());
    for (const char* expected : {"/work/project", "/tmp/mxc-run", "/tmp", "/var/tmp", "/dev/shm",
                                 "/home/alice/.cache", "/home/alice/.cargo"}) {
        CHECK_MESSAGE(std::find(areas.begin(), areas.end(), expected) != areas.end(), expected);
    }
}

TEST_CASE("writable_area_containing names the root a path is or lies below, and nothing else") {
    const std::vector<std::string> roots = {"/work/project", "/home/alice/.cache", "/tmp"};
    CHECK(writable_area_containing("/work/project/audit.jsonl", roots) == "/work/project");
    CHECK(writable_area_containing("/work/project", roots) == "/work/project");
    CHECK(writable_area_containing("/tmp/x/y.sock", roots) == "/tmp");
    CHECK_FALSE(writable_area_containing("/work/project2/audit.jsonl", roots));
    CHECK_FALSE(writable_area_containing("/work", roots));
    CHECK_FALSE(writable_area_containing("/home/alice/.local/state/mxc/a.jsonl", roots));
    CHECK(writable_area_containing("/etc/x", {"/"}) == "/");
}

TEST_CASE("an [audit] path in the workspace or a temp dir lies in a writable area of that policy") {
    auto p = load_policy_text("schema = 1\n[filesystem]\nwrite = [\"{workspace}\", \"{home}/out\"]\n",
                              "/profiles/t.toml", {}, context());
    REQUIRE(p.ok());
    const auto roots = writable_area_roots(p.value());
    CHECK(writable_area_containing("/work/project/.mxc/audit.jsonl", roots));
    CHECK(writable_area_containing("/home/alice/out/audit.jsonl", roots));
    CHECK(writable_area_containing("/var/tmp/audit.jsonl", roots));
    CHECK_FALSE(writable_area_containing("/home/alice/.local/state/mxc/audit.jsonl", roots));
    CHECK_FALSE(writable_area_containing("/var/log/mxc/audit.jsonl", roots));
}
