// mxc-init (init_helper.hpp): the sandbox's pid 1 when a usable one sits
// next to mxc. One planted there that is a link, writable by others or owned
// by someone other than mxc's owner is never executed: the run clones mxc
// itself instead. Each refusal has its control, the same file placed the way
// an install places it, which is used (so a test that cannot tell the two
// apart fails).
#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "support.hpp"

using mxc::test::TempDir;

namespace {

namespace fs = std::filesystem;

const std::string kBuiltMxc = MXC_BINARY;

std::string built_helper() {
    return fs::path(kBuiltMxc).parent_path().string() + "/mxc-init";
}

// The first word of the sandbox's /proc/1/cmdline: "mxc-init", or the path
// of the mxc that cloned itself.
std::string pid1_of(const std::string& mxc) {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = {mxc, "exec", "-p", "default", "-w", ws.path(), "--", "cat", "/proc/1/cmdline"};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    INFO("stderr: ", r.err);
    REQUIRE(r.status == 0);
    return r.out.substr(0, r.out.find('\0'));
}

// A copy of the built mxc alone in a directory; `helper` is where it looks.
struct Install {
    TempDir dir;
    std::string mxc = dir.path() + "/mxc";
    std::string helper = dir.path() + "/mxc-init";
    Install() {
        fs::copy_file(kBuiltMxc, mxc);
        fs::permissions(mxc, fs::perms(0755));
        // The test identity (MXC_TEST_AS=unprivileged) runs it from here.
        fs::permissions(dir.path(), fs::perms(0755));
    }
    void copy_helper(fs::perms mode) const {
        fs::copy_file(built_helper(), helper, fs::copy_options::overwrite_existing);
        fs::permissions(helper, mode);
    }
};

// Whether a process runs `program` (its /proc/PID/exe), within `limit`.
bool running_within(const std::string& program, std::chrono::milliseconds limit, bool want) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        bool found = false;
        if (DIR* d = ::opendir("/proc")) {
            while (const dirent* e = ::readdir(d)) {
                std::array<char, 4096> exe{};
                const std::string link = std::string("/proc/") + e->d_name + "/exe";
                const ssize_t n = ::readlink(link.c_str(), exe.data(), exe.size() - 1);
                if (n > 0 && std::string(exe.data(), static_cast<std::size_t>(n)) == program) found = true;
            }
            ::closedir(d);
        }
        if (found == want) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

TEST_CASE("mxc-init next to mxc is the sandbox's pid 1") {
    CHECK(pid1_of(kBuiltMxc) == "mxc-init");
}

TEST_CASE("mxc-init started by hand refuses to run") {
    mxc::test::RunSpec spec;
    spec.argv = {built_helper()};
    auto r = mxc::test::run(spec);
    CHECK(r.status == 125);
    CHECK(r.err.find("started by mxc only") != std::string::npos);
}

TEST_CASE("without mxc-init mxc clones itself, and the run works") {
    Install i;
    CHECK(pid1_of(i.mxc) == i.mxc);
    i.copy_helper(fs::perms(0755));  // control
    CHECK(pid1_of(i.mxc) == "mxc-init");
}

TEST_CASE("a planted mxc-init link is not followed") {
    Install i;
    fs::create_symlink(built_helper(), i.helper);
    CHECK(pid1_of(i.mxc) == i.mxc);
    fs::remove(i.helper);
    i.copy_helper(fs::perms(0755));  // control: the file the link named, in its place
    CHECK(pid1_of(i.mxc) == "mxc-init");
}

TEST_CASE("an mxc-init that others may write is not used") {
    for (const auto mode : {fs::perms(0775), fs::perms(0757)}) {
        CAPTURE(static_cast<int>(mode));
        Install i;
        i.copy_helper(mode);
        CHECK(pid1_of(i.mxc) == i.mxc);
        fs::permissions(i.helper, fs::perms(0755));  // control
        CHECK(pid1_of(i.mxc) == "mxc-init");
    }
}

TEST_CASE("an mxc-init owned by another user than mxc is not used") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: only root can give the file another owner");
        return;
    }
    Install i;
    i.copy_helper(fs::perms(0755));
    REQUIRE(::chown(i.helper.c_str(), 65534, 65534) == 0);
    CHECK(pid1_of(i.mxc) == i.mxc);
    REQUIRE(::chown(i.helper.c_str(), 0, 0) == 0);  // control: mxc's owner
    CHECK(pid1_of(i.mxc) == "mxc-init");
}

TEST_CASE("mxc doctor says which mxc-init runs start with, or that there is none") {
    mxc::test::RunSpec spec;
    spec.argv = {kBuiltMxc, "doctor"};
    auto with_helper = mxc::test::run(spec);
    CHECK(with_helper.out.find("yes  sandbox_init") != std::string::npos);
    CHECK(with_helper.out.find(built_helper()) != std::string::npos);
    Install i;
    spec.argv = {i.mxc, "doctor"};
    auto without = mxc::test::run(spec);
    CHECK(without.out.find("no   sandbox_init") != std::string::npos);
}

TEST_CASE("a run refused after mxc-init started leaves none behind") {
    Install i;
    i.copy_helper(fs::perms(0755));
    TempDir ws;
    // The control below runs as the caller, whatever the test identity: a
    // workspace only the test user may enter would end its run at once
    // (the command has no capabilities), and its mxc-init be gone too soon.
    fs::permissions(ws.path(), fs::perms(0755));
    // Control: while a run is going, its mxc-init is seen.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(i.mxc.c_str(), i.mxc.c_str(), "exec", "-p", "default", "-w", ws.path().c_str(), "--", "sleep",
                "5", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    CHECK(running_within(i.helper, std::chrono::milliseconds(5000), true));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    CHECK(running_within(i.helper, std::chrono::milliseconds(3000), false));
    // Refused after the early start: a usage error, a profile that is not there.
    for (const auto& args :
         {std::vector<std::string>{"exec", "--bogus-option", "--", "true"},
          std::vector<std::string>{"exec", "-p", "/nonexistent-mxc/p.toml", "--", "true"}}) {
        CAPTURE(args[1]);
        mxc::test::RunSpec spec;
        spec.argv = {i.mxc};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.cwd = ws.path();
        auto r = mxc::test::run(spec);
        CHECK(r.status == 125);
        CHECK(running_within(i.helper, std::chrono::milliseconds(3000), false));
    }
}
