// limits.processes through a pids cgroup: where the per-run cgroup goes
// (cgroup v2 or the v1 pids hierarchy), what is written, and the cleanup.
// Runs against a fake cgroupfs: plain directories with cgroup file names.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/linux/apply/cgroup.hpp"
#include "platform/linux/apply/pids_cgroup.hpp"

using namespace mxc::lnx;
namespace fs = std::filesystem;

namespace {
struct FakeCgroupFs {
    std::string root;
    FakeCgroupFs() {
        std::string tmpl = (fs::temp_directory_path() / "mxc-pidsfs-XXXXXX").string();
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
    // A hybrid host like the CI machine: cgroup2 without controllers at
    // /unified, the v1 pids hierarchy at /pids, we sit in both roots.
    CgroupfsView hybrid() const {
        file("/unified/cgroup.controllers", "");
        file("/unified/cgroup.subtree_control", "");
        file("/unified/cgroup.procs", "1\n");
        fs::create_directories(root + "/pids");
        return CgroupfsView{root + "/unified", "/", root + "/pids", "/"};
    }
};

void backdate(const std::string& path) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::minutes(5));
}
}  // namespace

TEST_CASE("own_v1_pids_path reads the pids line, also when controllers are co-mounted") {
    CHECK(own_v1_pids_path("9:name=systemd:/\n8:pids:/user.slice\n0::/\n") == "/user.slice");
    CHECK(own_v1_pids_path("3:cpu,pids:/x\n") == "/x");
    CHECK(own_v1_pids_path("0::/user.slice\n4:memory:/m\n") == "");
}

TEST_CASE("v1_pids_mount finds the cgroup v1 hierarchy with the pids controller") {
    const std::string mi =
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    auto m = v1_pids_mount(mi);
    CHECK(m.mount_point == "/sys/fs/cgroup/pids");
    CHECK(m.root == "/");
    CHECK(v1_pids_mount("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n").mount_point.empty());
}

TEST_CASE("on a hybrid host the pids limit goes to our own cgroup in the v1 pids hierarchy") {
    FakeCgroupFs cg;
    auto f = detect_pids_cgroup(cg.hybrid());
    CHECK(f.v2_parent.empty());
    CHECK(f.v1_parent == cg.root + "/pids");
    CHECK(f.reason == "pids cgroup v1 in " + cg.root + "/pids");
}

TEST_CASE("a cgroup v2 cgroup with pids enabled for children is used first") {
    FakeCgroupFs cg;
    cg.file("/u/cgroup.controllers", "memory pids\n");
    cg.file("/u/cgroup.subtree_control", "pids\n");
    cg.file("/u/cgroup.procs", "");
    auto f = detect_pids_cgroup(CgroupfsView{cg.root, "/u", "", ""});
    CHECK(f.v2_parent == cg.root + "/u");
}

TEST_CASE("our v2 cgroup holding processes falls back to the real v2 root (no internal processes rule)") {
    FakeCgroupFs cg;
    cg.file("/cgroup.controllers", "cpu memory pids\n");
    cg.file("/cgroup.subtree_control", "");
    cg.file("/cgroup.procs", "1\n");
    cg.file("/u/cgroup.controllers", "pids\n");
    cg.file("/u/cgroup.subtree_control", "");
    cg.file("/u/cgroup.procs", "123\n");
    cg.file("/u/cgroup.type", "domain\n");
    auto f = detect_pids_cgroup(CgroupfsView{cg.root, "/u", "", ""});
    CHECK(f.v2_parent == cg.root);
}

TEST_CASE("a cgroup namespace root holding processes is not usable (it has cgroup.type)") {
    FakeCgroupFs cg;
    cg.file("/cgroup.controllers", "pids\n");
    cg.file("/cgroup.subtree_control", "");
    cg.file("/cgroup.procs", "1\n");
    cg.file("/cgroup.type", "domain\n");
    auto f = detect_pids_cgroup(CgroupfsView{cg.root, "/", "", ""});
    CHECK(f.v2_parent.empty());
    CHECK(f.reason.find("holds processes") != std::string::npos);
    CHECK(f.reason.find("no cgroup v1 pids hierarchy") != std::string::npos);
}

TEST_CASE("without any pids cgroup the reason names every place that was tried") {
    FakeCgroupFs cg;
    auto view = cg.hybrid();
    view.v1_pids_mount.clear();
    auto f = detect_pids_cgroup(view);
    CHECK(f.v2_parent.empty());
    CHECK(f.v1_parent.empty());
    CHECK(f.reason.find("no pids controller in " + cg.root + "/unified/cgroup.controllers") !=
          std::string::npos);
    CHECK(f.reason.find("no cgroup v1 pids hierarchy") != std::string::npos);
}

TEST_CASE("a read-only v1 pids hierarchy is not usable") {
    if (geteuid() == 0) return;  // root can write anywhere
    FakeCgroupFs cg;
    auto view = cg.hybrid();
    fs::permissions(cg.root + "/pids", fs::perms::owner_read | fs::perms::owner_exec);
    auto f = detect_pids_cgroup(view);
    CHECK(f.v1_parent.empty());
    CHECK(f.reason.find(cg.root + "/pids is not writable") != std::string::npos);
    fs::permissions(cg.root + "/pids", fs::perms::owner_all);
}

TEST_CASE("the v1 leaf gets pids.max, opens its tasks file for init and is removed with the object") {
    FakeCgroupFs cg;
    fs::create_directories(cg.root + "/pids");
    {
        auto leaf = PidsV1Leaf::create(PidsV1Plan{cg.root + "/pids", "mxc-s1", 65});
        REQUIRE(leaf.ok());
        CHECK(leaf->path() == cg.root + "/pids/mxc-s1");
        CHECK(cg.read("/pids/mxc-s1/pids.max") == "65");
        // A real cgroupfs makes `tasks` with the directory; a fake one needs it.
        CHECK_FALSE(leaf->open_tasks().ok());
        cg.file("/pids/mxc-s1/tasks", "");
        auto tasks = leaf->open_tasks();
        REQUIRE(tasks.ok());
        REQUIRE(::write(tasks->get(), "0", 1) == 1);  // what init writes: "move me"
        CHECK(cg.read("/pids/mxc-s1/tasks") == "0");
        // Real cgroupfs lets rmdir remove interface files; a fake one cannot.
        fs::remove(cg.root + "/pids/mxc-s1/pids.max");
        fs::remove(cg.root + "/pids/mxc-s1/tasks");
    }
    CHECK_FALSE(fs::exists(cg.root + "/pids/mxc-s1"));
}

TEST_CASE("the v1 leaf's tasks file is not opened through a symlink") {
    FakeCgroupFs cg;
    fs::create_directories(cg.root + "/pids");
    auto leaf = PidsV1Leaf::create(PidsV1Plan{cg.root + "/pids", "mxc-s2", 65});
    REQUIRE(leaf.ok());
    cg.file("/elsewhere", "");
    fs::create_symlink(cg.root + "/elsewhere", cg.root + "/pids/mxc-s2/tasks");
    auto tasks = leaf->open_tasks();
    REQUIRE_FALSE(tasks.ok());
    CHECK(tasks.error().message.find("/pids/mxc-s2/tasks") != std::string::npos);
    fs::remove(cg.root + "/pids/mxc-s2/pids.max");
    fs::remove(cg.root + "/pids/mxc-s2/tasks");
}

TEST_CASE("a v1 leaf that cannot be created reports the path and errno") {
    FakeCgroupFs cg;
    auto leaf = PidsV1Leaf::create(PidsV1Plan{cg.root + "/missing", "mxc-s1", 65});
    REQUIRE_FALSE(leaf.ok());
    CHECK(leaf.error().message.find(cg.root + "/missing/mxc-s1") != std::string::npos);
    CHECK(leaf.error().message.find("No such file") != std::string::npos);
}

TEST_CASE("empty leaves of a SIGKILLed mxc are removed at the next start, in v2 and in v1") {
    FakeCgroupFs cg;
    auto view = cg.hybrid();
    fs::create_directories(cg.root + "/unified/mxc-dead2");
    fs::create_directories(cg.root + "/pids/mxc-dead1");
    fs::create_directories(cg.root + "/pids/mxc-busy");
    cg.file("/pids/mxc-busy/cgroup.procs", "");  // stands for members: rmdir fails
    fs::create_directories(cg.root + "/pids/other");
    for (const char* d : {"/unified/mxc-dead2", "/pids/mxc-dead1", "/pids/mxc-busy", "/pids/other"})
        backdate(cg.root + d);
    for (const auto& dir : cgroup_sweep_dirs(view)) remove_stale_leaves(dir);
    CHECK_FALSE(fs::exists(cg.root + "/unified/mxc-dead2"));
    CHECK_FALSE(fs::exists(cg.root + "/pids/mxc-dead1"));
    CHECK(fs::exists(cg.root + "/pids/mxc-busy"));
    CHECK(fs::exists(cg.root + "/pids/other"));
}

TEST_CASE("the sweep covers our v2 cgroup, the v2 root and our v1 pids cgroup, each once") {
    CHECK(cgroup_sweep_dirs(CgroupfsView{"/cg2", "/user.slice/u", "/v1pids", "/user.slice"}) ==
          std::vector<std::string>{"/cg2/user.slice/u", "/cg2", "/v1pids/user.slice"});
    // In the v2 root already: the root is listed once.
    CHECK(cgroup_sweep_dirs(CgroupfsView{"/cg2", "/", "", ""}) == std::vector<std::string>{"/cg2"});
    CHECK(cgroup_sweep_dirs(CgroupfsView{}).empty());
}

TEST_CASE("members listed in a fake cgroup.procs are never signalled") {
    FakeCgroupFs cg;
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    cg.file("/pids/mxc-s1/cgroup.procs", std::to_string(child) + "\n");
    kill_cgroup_members(cg.root + "/pids/mxc-s1");
    int status = 0;
    CHECK(waitpid(child, &status, WNOHANG) == 0);  // still running
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
}
