// [network].unix (issue 11, item 4): socket paths expanded and validated like
// filesystem paths, merged through extends and the CLI like [network].allow,
// and none in the built-in profiles.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::context;
using mxc::policy::testing::errors;
using mxc::policy::testing::first_error;
using mxc::policy::testing::load;
using mxc::policy::testing::load_ok;

namespace {

std::vector<std::string> values(const std::vector<Sourced<std::string>>& list) {
    std::vector<std::string> out;
    for (const auto& s : list) out.push_back(s.value);
    return out;
}

struct ProfileDir {
    std::filesystem::path root;
    ProfileDir() {
        root = std::filesystem::temp_directory_path() /
               ("mxc-unix-policy-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(root);
    }
    ~ProfileDir() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    ProfileDir(const ProfileDir&) = delete;
    ProfileDir& operator=(const ProfileDir&) = delete;
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(root / name) << text;
        return (root / name).string();
    }
};

}  // namespace

TEST_CASE("[network].unix expands variables and normalises like filesystem paths") {
    auto p = load_ok(
        "schema = 1\n[network]\nunix = [\"/var/run/docker.sock\", \"~/.ssh/agent/\", "
        "\"{workspace}/.run//db.sock\", \"{tmp}/sock\", \"/run/./user/1000\"]\n");
    CHECK(values(p.network.unix_sockets) ==
          std::vector<std::string>{"/var/run/docker.sock", "/home/alice/.ssh/agent",
                                   "/work/project/.run/db.sock", "/tmp/mxc-run/sock", "/run/user/1000"});
    CHECK(p.network.unix_sockets[0].origin.describe() == "/profiles/test.toml:3:9");
    CHECK(p.network.unix_sockets[1].origin.describe() == "/profiles/test.toml:3:33");
    // The mode is left alone: unix sockets are brokered with "none" too.
    CHECK(p.network.mode.value == NetMode::None);
}

TEST_CASE("a bad [network].unix entry is reported at its file:line:col") {
    CHECK(first_error("schema = 1\n[network]\nunix = [\"/ok.sock\", \"relative.sock\"]\n") ==
          "test.toml:3:21: error: [network].unix: relative path \"relative.sock\" (start it with "
          "{workspace}/, {profile_dir}/, ~/ or /)");
    CHECK(first_error("schema = 1\n[network]\nunix = [\"{nope}/s\"]\n")
              .find("test.toml:3:9: error: [network].unix: unknown variable {nope}") == 0);
    CHECK(first_error("schema = 1\n[network]\nunix = [\"{workspace}/../s\"]\n")
              .find("test.toml:3:9: error: [network].unix: path \"{workspace}/../s\" climbs out of") == 0);
    CHECK(first_error("schema = 1\n[network]\nunix = [\"\"]\n")
              .find("test.toml:3:9: error: [network].unix: empty path") == 0);
    CHECK(first_error("schema = 1\n[network]\nunix = \"/s\"\n").find("test.toml:3:8: error: ") == 0);
    CHECK(first_error("schema = 1\n[network]\nunix = [1]\n").find("test.toml:3:") == 0);
}

TEST_CASE("\"..\" anywhere in a socket path, and \"/\" itself, are refused") {
    CHECK(first_error("schema = 1\n[network]\nunix = [\"/run/user/../docker.sock\"]\n") ==
          "test.toml:3:9: error: [network].unix: socket path \"/run/user/../docker.sock\" contains \"..\" "
          "(name the socket, or the directory that holds it, such as "
          "\"/run/docker.sock\" or \"{home}/.ssh/agent\")");
    CHECK(first_error("schema = 1\n[network]\nunix = [\"{workspace}/a/../b.sock\"]\n")
              .find("contains \"..\"") != std::string::npos);
    CHECK(first_error("schema = 1\n[network]\nunix = [\"/\"]\n").find("would allow every socket") !=
          std::string::npos);
    CHECK(first_error("schema = 1\n[network]\nunix = [\"/./\"]\n").find("would allow every socket") !=
          std::string::npos);
    // "..." and "..x" are ordinary names.
    CHECK(errors("schema = 1\n[network]\nunix = [\"/run/.../s\", \"/run/..x\"]\n").empty());
    CHECK(errors("schema = 1\n[network]\nunix = [\"/a\", \"/b/\", \"/c/..\", \"rel\"]\n").size() == 2);
}

TEST_CASE("an unknown [network] key still names unix among the known ones") {
    CHECK(first_error("schema = 1\n[network]\nunixx = []\n").find("unix") != std::string::npos);
}

TEST_CASE("[network].unix lists concatenate through extends, first origin kept") {
    ProfileDir dir;
    dir.write("base.toml", "schema = 1\n[network]\nunix = [\"/run/a.sock\", \"{workspace}/s\"]\n");
    const std::string child =
        dir.write("child.toml",
                  "schema = 1\nextends = \"base.toml\"\n[network]\nunix = [\"{workspace}/s\", \"/run/b\"]\n");
    auto r = load_policy(child, {}, context());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(values(r->network.unix_sockets) ==
          std::vector<std::string>{"/run/a.sock", "/work/project/s", "/run/b"});
    CHECK(r->network.unix_sockets[1].origin.file == (dir.root / "base.toml").string());
    CHECK(r->network.unix_sockets[2].origin.file == child);
}

TEST_CASE("--allow-unix adds a rule with its flag as origin, relative to the cwd, and keeps the mode") {
    CliOverrides cli;
    cli.allow_unix = {"~/.ssh/agent.sock", "run/db.sock", "/run/a.sock"};
    auto p = load_ok("schema = 1\n[network]\nunix = [\"/run/a.sock\"]\n", cli);
    CHECK(values(p.network.unix_sockets) == std::vector<std::string>{"/run/a.sock",
                                                                     "/home/alice/.ssh/agent.sock",
                                                                     "/work/project/sub/run/db.sock"});
    CHECK(p.network.unix_sockets[0].origin.describe() == "/profiles/test.toml:3:9");
    CHECK(p.network.unix_sockets[1].origin.describe() == "flag --allow-unix");
    CHECK(p.network.mode.value == NetMode::None);
}

TEST_CASE("a bad --allow-unix is refused like the same entry in a profile") {
    CliOverrides cli;
    cli.allow_unix = {"/run/../docker.sock"};
    auto r = load("schema = 1\n", cli);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("flag --allow-unix: error: socket path \"/run/../docker.sock\" contains") ==
          0);
    cli.allow_unix = {"/"};
    r = load("schema = 1\n", cli);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("would allow every socket") != std::string::npos);
}

TEST_CASE("no built-in profile allows a unix socket") {
    for (const auto& b : builtin_profiles()) {
        CAPTURE(b.name);
        auto r = load_policy(b.name, {}, context());
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
        CHECK(r->network.unix_sockets.empty());
    }
}
