// Profiles from pipes: `-p <(generate-profile)`, `-p /dev/stdin` and named
// FIFOs are read once, capped at 1 MiB like files, and a FIFO nobody writes
// to ends in an error instead of hanging mxc.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "policy/policy.hpp"
#include "policy/profile_file.hpp"
#include "policy/resolve.hpp"
#include "policy_testing.hpp"

using namespace mxc::policy;
using namespace std::chrono_literals;

namespace {

const std::string kProfile = "schema = 1\nname = \"piped\"\nextends = [\"default\"]\n";

// A pipe whose read end is reachable by path, as bash's <(...) gives it.
struct PathPipe {
    int read_fd = -1;
    int write_fd = -1;
    PathPipe() { REQUIRE(::pipe2(&read_fd, O_CLOEXEC) == 0); }
    ~PathPipe() {
        if (read_fd >= 0) ::close(read_fd);
        close_writer();
    }
    [[nodiscard]] std::string path() const { return "/dev/fd/" + std::to_string(read_fd); }
    void write_all(const std::string& s) const {
        REQUIRE(::write(write_fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }
    void close_writer() {
        if (write_fd >= 0) ::close(write_fd);
        write_fd = -1;
    }
};

struct Fifo {
    std::filesystem::path dir;
    std::string path;
    Fifo() {
        dir = std::filesystem::temp_directory_path() /
              ("mxc-fifo-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir);
        path = (dir / "profile.toml").string();
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    }
    ~Fifo() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

}  // namespace

TEST_CASE("a profile from a pipe (-p <(...)) is read whole") {
    PathPipe p;
    p.write_all(kProfile);
    p.close_writer();
    auto bytes = read_profile_file(p.path(), kMaxProfileBytes);
    REQUIRE_MESSAGE(bytes.ok(), (bytes.ok() ? "" : bytes.error().message));
    CHECK(bytes.value() == kProfile);
}

TEST_CASE("a profile from a pipe is loaded and extends a built-in") {
    PathPipe p;
    p.write_all(kProfile);
    p.close_writer();
    auto policy = load_policy(p.path(), {}, testing::context());
    REQUIRE_MESSAGE(policy.ok(), (policy.ok() ? "" : policy.error().message));
    CHECK(policy.value().name == "piped");
}

TEST_CASE("a pipe larger than 1 MiB is refused, not read to its end") {
    ::signal(SIGPIPE, SIG_IGN);  // the writer sees EPIPE once the reader gives up
    PathPipe p;
    std::thread writer([fd = p.write_fd] {
        const std::string line(4096, '#');
        // Endless, like `-p /dev/zero` or a runaway generator.
        while (::write(fd, line.data(), line.size()) > 0) {
        }
    });
    const std::string path = p.path();
    auto bytes = read_profile_file(path, kMaxProfileBytes);
    ::close(p.read_fd);  // unblocks the writer
    p.read_fd = -1;
    writer.join();
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().message == "profile \"" + path + "\" is larger than 1 MiB");
}

TEST_CASE("a FIFO nobody writes to ends in an error after the idle timeout") {
    Fifo f;
    const auto start = std::chrono::steady_clock::now();
    auto bytes = read_profile_file(f.path, kMaxProfileBytes, 200ms);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().message.find("nothing was written to it") != std::string::npos);
    CHECK(took >= 200ms);
    CHECK(took < 5s);
}

TEST_CASE("a FIFO whose writer comes later is read") {
    Fifo f;
    std::thread writer([&] {
        std::this_thread::sleep_for(100ms);
        const int fd = ::open(f.path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return;
        (void)!::write(fd, kProfile.data(), kProfile.size());
        ::close(fd);
    });
    auto bytes = read_profile_file(f.path, kMaxProfileBytes, 5000ms);
    writer.join();
    REQUIRE_MESSAGE(bytes.ok(), (bytes.ok() ? "" : bytes.error().message));
    CHECK(bytes.value() == kProfile);
}

TEST_CASE("a regular profile file is read as before") {
    Fifo f;  // only for its scratch directory
    const std::string path = (f.dir / "plain.toml").string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, kProfile.data(), kProfile.size()) == static_cast<ssize_t>(kProfile.size()));
    ::close(fd);
    auto bytes = read_profile_file(path, kMaxProfileBytes);
    REQUIRE(bytes.ok());
    CHECK(bytes.value() == kProfile);
}

TEST_CASE("a /dev/fd path of a closed descriptor is a missing profile") {
    PathPipe p;
    const std::string path = p.path();
    ::close(p.read_fd);
    p.read_fd = -1;
    auto bytes = read_profile_file(path, kMaxProfileBytes);
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().message == "cannot read profile \"" + path + "\": no such file");
}
