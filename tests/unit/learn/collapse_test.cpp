#include <doctest/doctest.h>

#include "learn_fixture.hpp"

using namespace mxc::learn;
using namespace mxc::learn::testing;

TEST_CASE("thousands of files under a tool's dotdir become one rule on the dotdir") {
    Learned l{base()};
    for (int i = 0; i < 4000; ++i)
        l.obs.files.push_back(
            read("/home/alice/.rustup/toolchains/stable/lib/f" + std::to_string(i), "/x/rustc"));
    l.obs.files.push_back(read("/home/alice/.rustup/settings.toml", "/x/cargo"));
    auto s = l.run();
    REQUIRE(rules(s.read) == std::vector<std::string>{"~/.rustup"});
    CHECK(s.read[0].observed == 4001);
    CHECK(s.read[0].programs == std::vector<std::string>{"cargo", "rustc"});
    CHECK(s.write.empty());
}

TEST_CASE("reads the base profile already allows need no rule") {
    Learned l{base()};
    l.obs.files = {read("/usr/lib/x86_64-linux-gnu/libc.so.6"), read("/etc/hosts"),
                   read("/home/alice/.gitconfig"), read("/home/alice/proj/src/main.c"),
                   read("/lib64/ld-linux-x86-64.so.2")};
    auto s = l.run();
    CHECK(s.read.empty());
    CHECK(s.write.empty());
    CHECK(s.not_learned.empty());
}

TEST_CASE("what the sandbox provides itself is never learned: /proc, /dev, writes to /tmp and {tmp}") {
    Learned l{base()};
    l.obs.files = {read("/proc/self/status"), read("/dev/urandom"), write("/tmp/scratch"),
                   write("/tmp/mxc-run/x"), write("/dev/shm/sem.x")};
    auto s = l.run();
    CHECK(s.read.empty());
    CHECK(s.write.empty());
}

TEST_CASE("a file in /tmp that was there before the run is learned as a read, one the run made is not") {
    Learned l{base()};
    l.obs.files = {read("/tmp/shared/input.txt"), write("/tmp/made"), read("/tmp/made")};
    l.kinds["/tmp/shared/input.txt"] = PathKind::File;
    l.kinds["/tmp/made"] = PathKind::Missing;
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"/tmp/shared/input.txt"});
    CHECK(s.write.empty());
}

TEST_CASE("one data file under a plain home directory is learned as that file") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/data/input.csv", "/usr/bin/python3")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/data/input.csv"});
}

TEST_CASE("data files collapse to the nearest directory holding at least the threshold of them") {
    Learned l{base()};
    for (std::size_t i = 0; i < kCollapseThreshold; ++i)
        l.obs.files.push_back(read("/home/alice/data/set/f" + std::to_string(i)));
    l.obs.files.push_back(read("/home/alice/docs/other.csv"));
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/data/set", "~/docs/other.csv"});
}

TEST_CASE("files under a shared home directory collapse to the tool's directory in it") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/.config/nvim/init.lua", "/usr/bin/nvim"),
                   read("/home/alice/.local/share/pnpm/store/v3/x", "/usr/bin/pnpm"),
                   read("/home/alice/.local/bin/tool", "/bin/sh")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/.config/nvim", "~/.local/bin", "~/.local/share/pnpm"});
}

TEST_CASE("never a rule on ~, /, a top-level or a shared directory, however many files lie there") {
    Learned l{base()};
    for (int i = 0; i < 10; ++i) l.obs.files.push_back(read("/home/alice/file" + std::to_string(i)));
    l.obs.files.push_back(read("/home/alice"));
    l.obs.files.push_back(read("/home"));
    l.obs.files.push_back(read("/"));
    l.obs.files.push_back(read("/home/alice/.config"));
    l.obs.files.push_back(read("/srv"));
    auto s = l.run();
    for (const auto& r : rules(s.read)) {
        CHECK(r != "~");
        CHECK(r != "/");
        CHECK(r.rfind("~/file", 0) == 0);
    }
    CHECK(s.read.size() == 10);
    // /, /home and ~ were walked through to the files: no rule and no noise.
    CHECK(paths(s.not_learned) == std::vector<std::string>{"~/.config", "/srv"});
}

TEST_CASE("a tool directory holding a base deny path is not widened over it") {
    Learned l{base()};  // default denies ~/.cargo/credentials
    l.obs.files = {read("/home/alice/.cargo/registry/index/a", "/x/cargo"),
                   read("/home/alice/.cargo/registry/src/b", "/x/cargo"),
                   read("/home/alice/.cargo/bin/cargo")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/.cargo/bin", "~/.cargo/registry"});
}

TEST_CASE("system paths collapse to the package directory in a shared system directory") {
    Learned l{base()};
    l.obs.files = {read("/var/lib/dpkg/status", "/usr/bin/dpkg"), read("/var/lib/dpkg/info/bash.list"),
                   read("/srv/data/a.bin")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"/srv/data/a.bin", "/var/lib/dpkg"});
}

TEST_CASE("a read below a learned write rule needs no read rule of its own") {
    Learned l{base("readonly")};
    l.obs.files = {write("/home/alice/proj/out"), read("/home/alice/proj/out")};
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"{workspace}/out"});
    CHECK(s.read.empty());
}

TEST_CASE("home and workspace inside /tmp are learned like anywhere else") {
    mxc::policy::ResolveContext ctx;
    ctx.workspace = "/tmp/t/ws";
    ctx.home = "/tmp/t/home";
    ctx.tmp = "/tmp/mxc-run";
    ctx.cwd = ctx.workspace;
    auto readonly = mxc::policy::load_policy("readonly", {}, ctx);
    REQUIRE(readonly.ok());
    Learned l{*readonly};
    l.obs.files = {write("/tmp/t/home/.mytool/state.json"), write("/tmp/t/ws/out"), write("/tmp/other")};
    auto s = l.run();
    CHECK(rules(s.write) == std::vector<std::string>{"~/.mytool", "{workspace}/out"});
}

TEST_CASE("a directory walked through on the way to a file does not widen the rule to it") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/data"), read("/home/alice/data/2024"),
                   read("/home/alice/data/2024/input.csv", "/usr/bin/python3")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/data/2024/input.csv"});
}

TEST_CASE("a directory listed with nothing used below it is learned as the directory") {
    Learned l{base()};
    l.obs.files = {read("/home/alice/data", "/usr/bin/ls")};
    auto s = l.run();
    CHECK(rules(s.read) == std::vector<std::string>{"~/data"});
}
