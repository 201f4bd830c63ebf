#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/linux/apply/cgroup.hpp"

using namespace mxc::lnx;
namespace fs = std::filesystem;

namespace {
// A fake cgroupfs: plain directories and files with cgroup v2 names.
struct FakeCgroupFs {
    std::string root;
    FakeCgroupFs() {
        std::string tmpl = (fs::temp_directory_path() / "mxc-cgfs-XXXXXX").string();
        root = mkdtemp(tmpl.data());
    }
    ~FakeCgroupFs() { fs::remove_all(root); }
    void file(const std::string& rel, const std::string& content) const {
        fs::create_directories(fs::path(root + rel).parent_path());
        std::ofstream(root + rel) << content;
    }
    std::string read(const std::string& rel) const {
        std::ifstream f(root + rel);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
};
}  // namespace

TEST_CASE("own_cgroup_path reads the unified hierarchy line") {
    CHECK(own_cgroup_path("12:pids:/x\n0::/user.slice/u.scope\n") == "/user.slice/u.scope");
    CHECK(own_cgroup_path("4:memory:/x\n") == "");
}

TEST_CASE("cgroup2_mount_point finds the cgroup2 filesystem in mountinfo") {
    const std::string mi =
        "25 1 0:22 / /sys rw - sysfs sysfs rw\n"
        "30 25 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    CHECK(cgroup2_mount_point(mi) == "/sys/fs/cgroup/unified");
    CHECK(cgroup2_mount_point("25 1 0:22 / /sys rw - sysfs sysfs rw\n") == "");
}

TEST_CASE("no cgroup v2 means no delegation") {
    CHECK_FALSE(detect_cgroup_delegation("", "/x").delegated);
    CHECK_FALSE(detect_cgroup_delegation("/sys/fs/cgroup", "").delegated);
}

TEST_CASE("a cgroup without the memory controller is not delegated") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "cpu io\n");
    cg.file("/u/cgroup.subtree_control", "");
    auto f = detect_cgroup_delegation(cg.root, "/u");
    CHECK_FALSE(f.delegated);
    CHECK(f.reason.find("no memory controller") != std::string::npos);
}

TEST_CASE("a writable cgroup with memory enabled for children is delegated") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "cpu memory pids\n");
    cg.file("/u/cgroup.subtree_control", "memory\n");
    cg.file("/u/cgroup.procs", "123\n");
    auto f = detect_cgroup_delegation(cg.root, "/u");
    CHECK(f.delegated);
    CHECK(f.dir == cg.root + "/u");
}

TEST_CASE("memory not yet enabled and processes in the cgroup: not usable (no internal processes rule)") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory\n");
    cg.file("/u/cgroup.subtree_control", "");
    cg.file("/u/cgroup.procs", "123\n");
    CHECK_FALSE(detect_cgroup_delegation(cg.root, "/u").delegated);
}

TEST_CASE("memory not yet enabled in an empty cgroup: delegated, enabled at launch") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory\n");
    cg.file("/u/cgroup.subtree_control", "");
    cg.file("/u/cgroup.procs", "");
    CHECK(detect_cgroup_delegation(cg.root, "/u").delegated);
}

TEST_CASE("a read-only cgroup directory is not delegated") {
    if (geteuid() == 0) return;  // root can write anywhere
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory\n");
    cg.file("/u/cgroup.subtree_control", "memory\n");
    fs::permissions(cg.root + "/u", fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_FALSE(detect_cgroup_delegation(cg.root, "/u").delegated);
    fs::permissions(cg.root + "/u", fs::perms::owner_all);
}

TEST_CASE("the leaf cgroup gets memory.max, no swap, oom.group and enables memory in the parent") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory\n");
    cg.file("/u/cgroup.subtree_control", "");
    auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-s1", 1234567});
    REQUIRE(leaf.ok());
    CHECK(leaf->dir_fd() >= 0);
    CHECK(cg.read("/u/cgroup.subtree_control") == "+memory");
    CHECK(cg.read("/u/mxc-s1/memory.max") == "1234567");
    CHECK(cg.read("/u/mxc-s1/memory.swap.max") == "0");
    CHECK(cg.read("/u/mxc-s1/memory.oom.group") == "1");
    cg.file("/u/mxc-s1/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
    CHECK(leaf->oom_kills() == 2);
}

TEST_CASE("the leaf cgroup is removed when it goes out of scope") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.subtree_control", "memory\n");
    {
        auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-s2", 1});
        REQUIRE(leaf.ok());
        // Real cgroupfs lets rmdir remove interface files; a fake one cannot.
        fs::remove(cg.root + "/u/mxc-s2/memory.max");
        fs::remove(cg.root + "/u/mxc-s2/memory.swap.max");
        fs::remove(cg.root + "/u/mxc-s2/memory.oom.group");
    }
    CHECK_FALSE(fs::exists(cg.root + "/u/mxc-s2"));
}

TEST_CASE("a leaf that cannot be created reports the path and errno") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.subtree_control", "memory\n");
    cg.file("/u/mxc-dup/cgroup.procs", "42\n");  // in use: survives the stale-leaf sweep
    auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-dup", 1});
    REQUIRE_FALSE(leaf.ok());
    CHECK(leaf.error().message.find(cg.root + "/u/mxc-dup") != std::string::npos);
    CHECK(leaf.error().message.find("File exists") != std::string::npos);
}

TEST_CASE("empty leaves left by a killed mxc are removed at the next launch") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.subtree_control", "memory\n");
    fs::create_directories(cg.root + "/u/mxc-stale");
    fs::last_write_time(cg.root + "/u/mxc-stale", fs::file_time_type::clock::now() - std::chrono::minutes(5));
    fs::create_directories(cg.root + "/u/other");
    remove_stale_leaves(cg.root + "/u");  // the supervisor's sweep at each start
    auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-new", 1});
    REQUIRE(leaf.ok());
    CHECK_FALSE(fs::exists(cg.root + "/u/mxc-stale"));
    CHECK(fs::exists(cg.root + "/u/other"));
}

TEST_CASE("a pids-only leaf enables pids in the parent and writes only pids.max") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory pids\n");
    cg.file("/u/cgroup.subtree_control", "");
    auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-p1", 0, 65});
    REQUIRE(leaf.ok());
    CHECK(cg.read("/u/cgroup.subtree_control") == "+pids");
    CHECK(cg.read("/u/mxc-p1/pids.max") == "65");
    CHECK_FALSE(fs::exists(cg.root + "/u/mxc-p1/memory.max"));
    fs::remove(cg.root + "/u/mxc-p1/pids.max");
}

TEST_CASE("a leaf with memory and pids enables both controllers in one write") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.subtree_control", "");
    auto leaf = CgroupLeaf::create(CgroupPlan{cg.root + "/u", "mxc-p2", 4096, 65});
    REQUIRE(leaf.ok());
    CHECK(cg.read("/u/cgroup.subtree_control") == "+memory +pids");
    CHECK(cg.read("/u/mxc-p2/pids.max") == "65");
    CHECK(cg.read("/u/mxc-p2/memory.max") == "4096");
}

TEST_CASE("a leaf created just now is not mistaken for a stale one") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.subtree_control", "memory\n");
    fs::create_directories(cg.root + "/u/mxc-concurrent");  // another mxc, not yet entered
    remove_stale_leaves(cg.root + "/u");
    CHECK(fs::exists(cg.root + "/u/mxc-concurrent"));
}

TEST_CASE("cgroup.procs: one pid per line, parsing stops at the first line that is not a number") {
    CHECK(parse_cgroup_procs("").empty());
    CHECK(parse_cgroup_procs("42\n") == std::vector<pid_t>{42});
    CHECK(parse_cgroup_procs("1\n2\n3") == std::vector<pid_t>{1, 2, 3});
    CHECK(parse_cgroup_procs("7\nx\n8\n") == std::vector<pid_t>{7});
    CHECK(parse_cgroup_procs("9 10\n").empty());
    CHECK(parse_cgroup_procs("99999999999999999999\n").empty());
}
