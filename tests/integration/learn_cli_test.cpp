// The parts of `mxc learn` and `mxc log --suggest --toml` that run no
// learning sandbox: usage, the output file rules, the log's TOML table.
// End-to-end learning runs are in tests/learn.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>

#include "support.hpp"

using mxc::test::TempDir;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::string denied(const char* host, int port) {
    return std::string(
               R"({"ts":"2026-01-01T00:00:00Z","session":"s1","agent":"","event":"net","decision":"deny",)") +
           R"("host":")" + host + R"(","port":)" + std::to_string(port) +
           R"(,"proto":"connect","rule":"","bytes_up":0,"bytes_down":0,"via":"connect","error":"","reason":""})" +
           "\n";
}

}  // namespace

TEST_CASE("mxc learn without a command is a usage error with exit 125") {
    auto r = mxc::test::mxc({"learn", "-p", "default"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "no command given"));
}

TEST_CASE("mxc learn refuses an existing output file before running anything") {
    TempDir ws;
    const std::string out = ws.write("out.toml", "keep me\n");
    const std::string marker = ws.path() + "/ran";
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "learn", "-p", "default", "-w", ws.path(), "-o", out, "--", "touch", marker};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    CHECK(r.status == 125);
    CHECK(contains(r.err, "already exists: pass --force"));
    CHECK(mxc::test::read_file(out) == "keep me\n");
    CHECK(::access(marker.c_str(), F_OK) != 0);
}

TEST_CASE("mxc learn --help says what --allow-net-learning gives away") {
    auto r = mxc::test::mxc({"learn", "--help"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "--allow-net-learning"));
    CHECK(contains(r.out, "send data anywhere"));
}

TEST_CASE("mxc log --suggest --toml prints a [network] table that mxc check accepts") {
    TempDir dir;
    const std::string log = dir.write(
        "run.jsonl", denied("pypi.org", 443) + denied("pypi.org", 443) + denied("169.254.169.254", 80));
    auto r = mxc::test::mxc({"log", "--suggest", "--toml", log});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "[network]\nmode = \"allowlist\"\nallow = [\n"));
    CHECK(contains(r.out, "\n  \"pypi.org\","));
    CHECK(contains(r.out, "# denied 2x\n"));
    CHECK(contains(r.out, "\n  # \"169.254.169.254\","));  // metadata: commented out
    const std::string profile = dir.write("p.toml", "schema = 1\nextends = [\"default\"]\n" + r.out);
    auto checked = mxc::test::mxc({"check", profile});
    INFO(checked.out, checked.err);
    CHECK(checked.status == 0);
}

TEST_CASE("mxc log --suggest keeps its annotated list without --toml") {
    TempDir dir;
    const std::string log = dir.write("run.jsonl", denied("pypi.org", 443) + denied("169.254.169.254", 80));
    auto r = mxc::test::mxc({"log", "--suggest", log});
    CHECK(r.status == 0);
    char line[160];
    std::snprintf(line, sizeof line, "  %-44s # denied 1x\n", "\"pypi.org\",");
    CHECK(contains(r.out, line));
    std::snprintf(line, sizeof line, "  %-44s # denied 1x; loopback/link-local/metadata",
                  "\"169.254.169.254\",");
    CHECK(contains(r.out, line));
}

TEST_CASE("mxc log --toml needs --suggest") {
    TempDir dir;
    const std::string log = dir.write("run.jsonl", denied("pypi.org", 443));
    auto r = mxc::test::mxc({"log", "--toml", log});
    CHECK(r.status == 2);
}
