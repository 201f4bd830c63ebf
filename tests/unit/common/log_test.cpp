// mxc's own logging never reaches stdout, which belongs to the command: not
// before setup() (tests, the sandbox driver) and not with -v.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "common/log.hpp"

namespace {

// Runs fn with fd `which` redirected into a pipe; returns what was written.
template <class Fn>
std::string capture(int which, Fn fn) {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    ::fflush(nullptr);  // doctest's own buffered output is not ours
    const int saved = ::dup(which);
    ::dup2(p[1], which);
    fn();
    ::fflush(nullptr);
    ::dup2(saved, which);
    ::close(saved);
    ::close(p[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    return out;
}

}  // namespace

TEST_CASE("before setup, info is not shown and nothing reaches stdout") {
    CHECK_FALSE(mxc::log::verbose());
    const std::string out = capture(1, [] { mxc::log::info("setup: mounts: 1.00 ms"); });
    CHECK(out.empty());
}

TEST_CASE("with -v, info goes to stderr only") {
    mxc::log::setup(1);
    CHECK(mxc::log::verbose());
    std::string err;
    const std::string out =
        capture(1, [&] { err = capture(2, [] { mxc::log::info("setup: seccomp: 0.50 ms"); }); });
    CHECK(out.empty());
    CHECK(err.find("setup: seccomp: 0.50 ms") != std::string::npos);
}

TEST_CASE("without -v, info is not shown") {
    mxc::log::setup(0);
    CHECK_FALSE(mxc::log::verbose());
}
