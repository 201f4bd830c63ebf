// `extends`: parents first, lists concatenate (deduplicated), scalars are
// overridden by the child, each file merged once; cycles and runaway depth are
// refused with the chain printed.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/sha256.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using mxc::policy::testing::context;
using mxc::policy::testing::rule_for;

namespace {

const std::string kValid = std::string(MXC_TEST_DATA_DIR) + "/valid/";

ResolvedPolicy valid(const std::string& name, const CliOverrides& cli = {}) {
    auto r = load_policy(kValid + name, cli, context());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return std::move(r).value();
}

template <class Entry>
std::vector<std::string> values(const std::vector<Entry>& list) {
    std::vector<std::string> out;
    for (const auto& s : list) out.push_back(s.value);
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scratch directory of profiles, removed at the end of the test.
struct ProfileDir {
    std::filesystem::path root;
    ProfileDir() {
        // Random, not `this`: ctest runs test cases as parallel processes.
        root = std::filesystem::temp_directory_path() /
               ("mxc-policy-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(root);
    }
    ~ProfileDir() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(root / name) << text;
        return (root / name).string();
    }
};

}  // namespace

TEST_CASE("lists from parent and child are concatenated without duplicates") {
    auto p = valid("child.toml");
    CHECK(values(p.env.pass) == std::vector<std::string>{"PATH", "HOME", "LANG"});
    CHECK(values(p.network.deny) == std::vector<std::string>{"gist.github.com"});
    CHECK(values(p.network.allow) == std::vector<std::string>{"github.com", "10.0.0.0/8:5432"});
    CHECK(rule_for(p, "/etc") != nullptr);
    CHECK(rule_for(p, "/opt") != nullptr);
}

TEST_CASE("a duplicated list entry keeps the parent's origin") {
    auto p = valid("child.toml");
    CHECK(rule_for(p, "/usr")->origin.file == kValid + "base.toml");
}

TEST_CASE("child scalars override parent scalars, unset ones are inherited") {
    auto p = valid("child.toml");
    CHECK(p.network.mode.value == NetMode::Allowlist);
    CHECK(p.limits.memory_bytes->value == 2ULL << 30);
    CHECK(p.limits.processes->value == 64);
    CHECK(p.missing.value == MissingPaths::Error);
    CHECK(p.agent_id == "base-agent");
}

TEST_CASE("env.set merges per variable, the child's value winning") {
    auto p = valid("child.toml");
    CHECK(p.env.set.at("CI").value == "true");
    CHECK(p.env.set.at("EDITOR").value == "vi");
}

TEST_CASE("name and description come from the top-level profile only") {
    auto p = valid("child.toml");
    CHECK(p.name == "child");
    CHECK(p.description.empty());
    auto g = valid("nested/grandchild.toml");
    CHECK(g.name == "grandchild");  // no `name`: the file stem
}

TEST_CASE("relative extends are relative to the extending file") {
    auto p = valid("nested/grandchild.toml");
    CHECK(p.chain == std::vector<std::string>{kValid + "base.toml", kValid + "child.toml",
                                              kValid + "nested/grandchild.toml"});
}

TEST_CASE("{profile_dir} is the directory of the file containing the rule") {
    auto p = valid("nested/grandchild.toml");
    CHECK(rule_for(p, kValid + "nested/data") != nullptr);
    CHECK(p.profile_dir == kValid + "nested");
}

TEST_CASE("several parents merge in order, the later parent's scalars winning") {
    auto p = valid("diamond.toml");
    CHECK(p.limits.processes->value == 200);
    CHECK(p.limits.wall_time->value == std::chrono::minutes(20));
}

TEST_CASE("a profile reached twice is merged once, at its first position") {
    auto p = valid("diamond.toml");
    CHECK(p.chain == std::vector<std::string>{kValid + "base.toml", kValid + "left.toml",
                                              kValid + "right.toml", kValid + "diamond.toml"});
}

TEST_CASE("a file can extend a built-in profile") {
    auto p = valid("on_builtin.toml");
    CHECK(p.chain ==
          std::vector<std::string>{"builtin:default", "builtin:coding-agent", kValid + "on_builtin.toml"});
    CHECK(p.network.mode.value == NetMode::Allowlist);
    CHECK(values(p.network.allow).back() == "10.1.2.3:8080");
    CHECK(rule_for(p, "/home/alice/.ssh")->access == Access::Deny);
    CHECK(p.best_effort.value);
}

TEST_CASE("sha256 covers every file of the chain, parents first") {
    auto p = valid("child.toml");
    CHECK(mxc::policy::chain_sha256(p) ==
          mxc::sha256_hex(slurp(kValid + "base.toml") + slurp(kValid + "child.toml")));
}

TEST_CASE("an extends cycle is refused with the cycle printed") {
    ProfileDir dir;
    std::string a = dir.write("a.toml", "schema = 1\nextends = [\"b.toml\"]\n");
    dir.write("b.toml", "schema = 1\n\nextends = [\"a.toml\"]\n");
    auto diagnostics = check_profile(a);
    REQUIRE(diagnostics.size() == 1);
    std::string b = (dir.root / "b.toml").string();
    CHECK(diagnostics[0].to_string() == b + ":3:12: error: extends cycle: " + a + " -> " + b + " -> " + a +
                                            " (remove one of these extends)");
}

TEST_CASE("memory = \"unlimited\" lifts a limit the parent set; a later layer can set one again") {
    ProfileDir dir;
    dir.write("parent.toml", "schema = 1\n[limits]\nmemory = \"8GiB\"\n");
    std::string child = dir.write(
        "child.toml", "schema = 1\nextends = [\"parent.toml\"]\n[limits]\nmemory = \"unlimited\"\n");
    auto p = load_policy(child, {}, context());
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    CHECK_FALSE(p->limits.memory_bytes.has_value());
    CliOverrides cli;
    cli.memory = "1GiB";
    auto q = load_policy(child, cli, context());
    REQUIRE(q.ok());
    CHECK(q->limits.memory_bytes->value == 1ULL << 30);
    CHECK(check_profile(child).empty());
}

TEST_CASE("only memory accepts \"unlimited\"") {
    ProfileDir dir;
    std::string a = dir.write("a.toml", "schema = 1\n[limits]\nfile_size = \"unlimited\"\n");
    CHECK(check_profile(a).size() == 1);
}

TEST_CASE("a profile extending itself is a cycle") {
    ProfileDir dir;
    std::string a = dir.write("self.toml", "schema = 1\nextends = [\"./self.toml\"]\n");
    auto diagnostics = check_profile(a);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].message == "extends cycle: " + a + " -> " + a);
}

TEST_CASE("an extends chain deeper than 16 profiles is refused") {
    ProfileDir dir;
    for (int i = 0; i < 17; ++i) {
        dir.write("p" + std::to_string(i) + ".toml",
                  "schema = 1\nextends = [\"p" + std::to_string(i + 1) + ".toml\"]\n");
    }
    dir.write("p17.toml", "schema = 1\n");
    auto diagnostics = check_profile((dir.root / "p0.toml").string());
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].where.file == (dir.root / "p15.toml").string());
    CHECK(diagnostics[0].where.line == 2);
    CHECK(diagnostics[0].message.find("extends chain is deeper than 16 profiles: ") == 0);
    CHECK(diagnostics[0].hint == "flatten the chain: extend fewer levels");
}

TEST_CASE("an extends chain of exactly 16 profiles is accepted") {
    ProfileDir dir;
    for (int i = 0; i < 15; ++i) {
        dir.write("p" + std::to_string(i) + ".toml",
                  "schema = 1\nextends = [\"p" + std::to_string(i + 1) + ".toml\"]\n");
    }
    dir.write("p15.toml", "schema = 1\n");
    CHECK(check_profile((dir.root / "p0.toml").string()).empty());
}

TEST_CASE("a missing parent file is reported at the extends entry") {
    ProfileDir dir;
    std::string a = dir.write("a.toml", "schema = 1\nextends = [\"default\", \"gone.toml\"]\n");
    auto diagnostics = check_profile(a);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].to_string() ==
          a + ":2:23: error: cannot read profile \"" + (dir.root / "gone.toml").string() +
              "\": no such file (check the path; it is relative to the extending file)");
}

TEST_CASE("an unknown built-in parent is reported at the extends entry") {
    auto diagnostics = check_profile_text("schema = 1\nextends = \"defualt\"\n", "x.toml");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].where.line == 2);
    CHECK(diagnostics[0].where.col == 11);
    CHECK(diagnostics[0].message == "extends unknown built-in profile \"defualt\"");
}

TEST_CASE("errors in a parent are reported with the parent's file and position") {
    ProfileDir dir;
    std::string a = dir.write("a.toml", "schema = 1\nextends = [\"b.toml\"]\n");
    dir.write("b.toml", "schema = 1\n[limits]\nmemory = \"huge\"\n");
    auto diagnostics = check_profile(a);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].where.file == (dir.root / "b.toml").string());
    CHECK(diagnostics[0].where.line == 3);
    CHECK(diagnostics[0].where.col == 10);
}

TEST_CASE("a profile file larger than 1 MiB is refused without being parsed") {
    ProfileDir dir;
    std::string big = dir.write("big.toml", "schema = 1\n" + std::string(1024 * 1024, '#') + "\n");
    auto diagnostics = check_profile(big);
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].message == "profile \"" + big + "\" is larger than 1 MiB");
}

TEST_CASE("a directory is not a profile") {
    ProfileDir dir;
    auto diagnostics = check_profile(dir.root.string() + "/");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].message.find("is not a regular file") != std::string::npos);
}

TEST_CASE("missing governs the rules of the file that sets it, not its parents' (issue 12, item 8)") {
    ProfileDir dir;
    dir.write("parent.toml", "schema = 1\n[filesystem]\nread = [\"/libx32\"]\n");
    dir.write("strict-parent.toml", "schema = 1\n[filesystem]\nmissing = \"error\"\nread = [\"/opt/a\"]\n");
    const std::string child = dir.write("child.toml",
                                        "schema = 1\nextends = [\"parent.toml\", \"strict-parent.toml\"]\n"
                                        "[filesystem]\nmissing = \"error\"\nread = [\"/srv/data\"]\n");
    CliOverrides cli;
    cli.allow_read = {"/from/flag"};
    auto r = load_policy(child, cli, context());
    REQUIRE(r.ok());
    const auto& p = r.value();
    REQUIRE(rule_for(p, "/libx32") != nullptr);
    CHECK(rule_for(p, "/libx32")->missing.value == MissingPaths::Ignore);  // parent sets nothing
    CHECK(rule_for(p, "/opt/a")->missing.value == MissingPaths::Error);    // its own file says error
    CHECK(rule_for(p, "/opt/a")->missing.origin.file.find("strict-parent.toml") != std::string::npos);
    CHECK(rule_for(p, "/srv/data")->missing.value == MissingPaths::Error);
    CHECK(rule_for(p, "/srv/data")->missing.origin.line == 4);
    // A flag's rule follows the profile's effective setting.
    CHECK(rule_for(p, "/from/flag")->missing.value == MissingPaths::Error);
}

TEST_CASE(
    "a child that extends the built-in default with missing = \"error\" keeps default's rules ignorable") {
    ProfileDir dir;
    const std::string child =
        dir.write("strict.toml", "schema = 1\nextends = [\"default\"]\n[filesystem]\nmissing = \"error\"\n");
    auto r = load_policy(child, {}, context());
    REQUIRE(r.ok());
    const auto* libx32 = rule_for(r.value(), "/libx32");
    REQUIRE(libx32 != nullptr);
    CHECK(libx32->missing.value == MissingPaths::Ignore);
}
