// [network].unix through the real front end (issue 11, item 4): explain
// (text and JSON) and --dry-run list each socket with where it came from.
#include <doctest/doctest.h>

#include "support.hpp"

using mxc::test::TempDir;

TEST_CASE("mxc explain and --dry-run list [network].unix sockets with their origin") {
    TempDir ws;
    const std::string profile = ws.write(
        "sockets.toml", "schema = 1\nextends = [\"default\"]\n[network]\nunix = [\"{workspace}/db.sock\"]\n");
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "explain", "-p", profile, "-w", ws.path(), "--allow-unix", "/run/app.sock"};
    auto r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("unix   " + ws.path() + "/db.sock") != std::string::npos);
    CHECK(r.out.find(profile + ":4:9") != std::string::npos);
    CHECK(r.out.find("flag --allow-unix") != std::string::npos);
    CHECK(r.out.find("network.unix /run/app.sock") != std::string::npos);

    spec.argv.push_back("--json");
    r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("\"unix\":[{\"value\":\"" + ws.path() + "/db.sock\",\"origin\":\"" + profile +
                     ":4:9\"}") != std::string::npos);

    spec.argv = {MXC_BINARY,     "exec",          "-p", profile, "-w", ws.path(), "--dry-run",
                 "--allow-unix", "/run/app.sock", "--", "true"};
    spec.cwd = ws.path();
    r = mxc::test::run(spec);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("unix socket: " + ws.path() + "/db.sock (and below)") != std::string::npos);
    CHECK(r.out.find("unix socket: /run/app.sock (and below)") != std::string::npos);
}

TEST_CASE("mxc check reports a bad [network].unix entry at its position") {
    TempDir ws;
    const std::string profile =
        ws.write("bad.toml", "schema = 1\n[network]\nunix = [\"/ok\", \"/a/../b\"]\n");
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "check", profile};
    auto r = mxc::test::run(spec);
    CHECK(r.status != 0);
    CHECK((r.out + r.err)
              .find(profile + ":3:16: error: [network].unix: socket path \"/a/../b\" contains \"..\"") !=
          std::string::npos);
}
