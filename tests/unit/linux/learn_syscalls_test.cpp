// The learning sandbox's pure parts (issue 13): which argument of which call
// is a path and what access it is, how it is made absolute, what is never
// recorded, and the bounded dedupe set.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include <algorithm>

#include "platform/linux/plan/learn_syscalls.hpp"

using namespace mxc::lnx;
using mxc::learn::FsAccess;
using mxc::learn::FsObservation;

namespace {

std::vector<PathArg> args_of(long nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                             std::uint64_t how = 0) {
    const std::uint64_t args[6] = {a0, a1, a2, 0, 0, 0};
    return path_args(nr, args, how);
}

}  // namespace

TEST_CASE("open flags: writing and creating and truncating are writes but O_PATH and read-only are reads") {
    CHECK(open_access(O_RDONLY) == FsAccess::Read);
    CHECK(open_access(O_RDONLY | O_DIRECTORY) == FsAccess::Read);
    CHECK(open_access(O_WRONLY) == FsAccess::Write);
    CHECK(open_access(O_RDWR) == FsAccess::Write);
    CHECK(open_access(O_RDONLY | O_CREAT) == FsAccess::Write);
    CHECK(open_access(O_RDONLY | O_TRUNC) == FsAccess::Write);
    CHECK(open_access(O_PATH) == FsAccess::Read);
    CHECK(open_access(O_PATH | O_WRONLY) == FsAccess::Read);  // the kernel ignores the mode with O_PATH
}

TEST_CASE("path arguments: position, dirfd and access per call") {
    auto openat_ro = args_of(SYS_openat, 3, 0x1000, O_RDONLY);
    REQUIRE(openat_ro.size() == 1);
    CHECK(openat_ro[0].dirfd_arg == 0);
    CHECK(openat_ro[0].path_arg == 1);
    CHECK(openat_ro[0].access == FsAccess::Read);
    CHECK(args_of(SYS_openat, 3, 0x1000, O_WRONLY | O_CREAT)[0].access == FsAccess::Write);
    // openat2's flags come from its struct open_how, read by the supervisor.
    CHECK(args_of(SYS_openat2, 3, 0x1000, 0x2000, O_RDWR)[0].access == FsAccess::Write);
    CHECK(args_of(SYS_openat2, 3, 0x1000, 0x2000, O_RDONLY)[0].access == FsAccess::Read);

    auto exec = args_of(SYS_execve, 0x1000);
    REQUIRE(exec.size() == 1);
    CHECK(exec[0].dirfd_arg == -1);
    CHECK(exec[0].access == FsAccess::Execute);
    CHECK(args_of(SYS_execveat, 3, 0x1000)[0].access == FsAccess::Execute);

    auto rename = args_of(SYS_renameat2, 3, 0x1000, 4);
    REQUIRE(rename.size() == 2);
    CHECK(rename[0].path_arg == 1);
    CHECK(rename[1].dirfd_arg == 2);
    CHECK(rename[1].path_arg == 3);
    CHECK(rename[0].access == FsAccess::Write);
    CHECK(rename[1].access == FsAccess::Write);

    auto link = args_of(SYS_linkat, 3, 0x1000, 4);
    REQUIRE(link.size() == 2);
    CHECK(link[0].access == FsAccess::Read);
    CHECK(link[1].access == FsAccess::Write);

    // symlinkat(target, newdirfd, linkpath): the target is text, not a use.
    auto sym = args_of(SYS_symlinkat, 0x1000, 3, 0x2000);
    REQUIRE(sym.size() == 1);
    CHECK(sym[0].dirfd_arg == 1);
    CHECK(sym[0].path_arg == 2);

    CHECK(args_of(SYS_newfstatat, 3, 0x1000)[0].may_be_empty);
    CHECK(args_of(SYS_unlinkat, 3, 0x1000)[0].access == FsAccess::Write);
    CHECK(args_of(SYS_mkdirat, 3, 0x1000)[0].access == FsAccess::Write);
    CHECK(args_of(SYS_chdir, 0x1000)[0].access == FsAccess::Read);
    // utimensat(fd, NULL, ...) acts on the fd: no path.
    CHECK(args_of(SYS_utimensat, 3, 0).empty());
    CHECK(args_of(SYS_utimensat, 3, 0x1000)[0].access == FsAccess::Write);
    // Calls that name no path.
    CHECK(args_of(SYS_read, 0, 0x1000).empty());
    CHECK(args_of(SYS_connect, 3, 0x1000).empty());
}

TEST_CASE("every call the filter hands over has its path arguments described") {
    const std::uint64_t args[6] = {3, 0x1000, 3, 0x2000, 0, 0};
    for (int nr : learned_syscalls()) {
        INFO("syscall " << nr);
        CHECK_FALSE(path_args(nr, args, 0).empty());
    }
}

TEST_CASE("paths are made absolute and normalised lexically") {
    CHECK(absolute_path("/home/u/proj", "src/main.c") == "/home/u/proj/src/main.c");
    CHECK(absolute_path("/home/u/proj", "./a//b/../c") == "/home/u/proj/a/c");
    CHECK(absolute_path("/home/u", "/etc/passwd") == "/etc/passwd");
    CHECK(absolute_path("", "/etc//./hosts") == "/etc/hosts");
    CHECK(absolute_path("/", "../../etc") == "/etc");  // ".." at the root stays there
    CHECK(absolute_path("/a", "..") == "/");
    CHECK(absolute_path("/home/u", ".") == "/home/u");
    // A dirfd that names no directory path ("pipe:[12]", "anon_inode:..."),
    // or no base at all, for a relative path: nothing to record.
    CHECK(absolute_path("pipe:[12]", "x").empty());
    CHECK(absolute_path("", "x").empty());
    CHECK(absolute_path("/home/u", "").empty());
}

TEST_CASE("the sandbox's own /proc, /dev, /sys, /tmp and {tmp} are never recorded") {
    CHECK(is_unrecorded("/proc/self/maps", ""));
    CHECK(is_unrecorded("/proc", ""));
    CHECK(is_unrecorded("/dev/null", ""));
    CHECK(is_unrecorded("/sys/fs/cgroup", ""));
    CHECK(is_unrecorded("/tmp/x", ""));
    CHECK(is_unrecorded("/run/mxc-tmp/a", "/run/mxc-tmp"));
    CHECK_FALSE(is_unrecorded("/processes", ""));
    CHECK_FALSE(is_unrecorded("/tmpfiles", ""));
    CHECK_FALSE(is_unrecorded("/home/u/.cache", "/run/mxc-tmp"));
    CHECK_FALSE(is_unrecorded("/", ""));
}

TEST_CASE("observations are deduplicated per (path, access, program) and bounded") {
    ObservationSet set(3);
    CHECK(set.add({"/a", FsAccess::Read, "/bin/cat", true}));
    CHECK_FALSE(set.add({"/a", FsAccess::Read, "/bin/cat", true}));
    CHECK(set.add({"/a", FsAccess::Write, "/bin/cat", true}));
    CHECK(set.add({"/a", FsAccess::Read, "/bin/sh", false}));
    // Full: new entries are counted, not kept; known ones still merge.
    CHECK_FALSE(set.add({"/b", FsAccess::Read, "/bin/sh", true}));
    CHECK_FALSE(set.add({"/c", FsAccess::Read, "/bin/sh", true}));
    CHECK(set.dropped() == 2);
    CHECK(set.size() == 3);
    bool exists = true;
    REQUIRE(set.contains("/a", FsAccess::Read, "/bin/sh", &exists));
    CHECK_FALSE(exists);
    // A later sighting of the path present: it was no probe after all.
    CHECK_FALSE(set.add({"/a", FsAccess::Read, "/bin/sh", true}));
    REQUIRE(set.contains("/a", FsAccess::Read, "/bin/sh", &exists));
    CHECK(exists);
    auto all = set.take();
    REQUIRE(all.size() == 3);
    CHECK(std::is_sorted(all.begin(), all.end(), [](const FsObservation& x, const FsObservation& y) {
        return std::tie(x.path, x.access, x.program) < std::tie(y.path, y.access, y.program);
    }));
    CHECK(set.size() == 0);
}
