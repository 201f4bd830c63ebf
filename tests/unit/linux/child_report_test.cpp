#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/linux/apply/child_report.hpp"

using namespace mxc::lnx;

TEST_CASE("reports survive a pipe round trip in order") {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    send_report(p[1], ReportTag::Warning, "seccomp: x");
    send_report(p[1], ReportTag::ExecErrno, "2");
    send_report(p[1], ReportTag::WaitStatus, "256");
    close(p[1]);
    std::string bytes;
    char buf[512];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    close(p[0]);
    auto r = parse_reports(bytes);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "seccomp: x");
    CHECK(r.exec_errno == 2);
    CHECK(r.has_wait_status);
    CHECK(r.wait_status == 256);
    CHECK(r.setup_error.empty());
}

TEST_CASE("the first setup error is kept and truncated input is ignored") {
    std::string bytes;
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    send_report(p[1], ReportTag::SetupError, "bind mount /a on /a: No such file or directory");
    send_report(p[1], ReportTag::SetupError, "second");
    close(p[1]);
    char buf[512];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    close(p[0]);
    bytes += "E\x10";  // truncated header
    auto r = parse_reports(bytes);
    CHECK(r.setup_error == "bind mount /a on /a: No such file or directory");
}

TEST_CASE("setup steps are reported in order with their durations") {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    const long before = monotonic_usec();
    send_step(p[1], "mount namespace: sandbox root", before);
    send_step(p[1], "seccomp", monotonic_usec());
    close(p[1]);
    std::string bytes;
    char buf[512];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    close(p[0]);
    auto r = parse_reports(bytes);
    REQUIRE(r.steps.size() == 2);
    CHECK(r.steps[0].name == "mount namespace: sandbox root");
    CHECK(r.steps[1].name == "seccomp");
    CHECK(r.steps[0].usec >= 0);
    CHECK(r.steps[0].usec < 10 * 1000 * 1000);
    CHECK(r.setup_error.empty());
}

TEST_CASE("an inactive step clock (no -v) writes nothing") {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    StepClock steps(false, p[1]);
    steps.done("landlock");
    char c;
    CHECK(read(p[0], &c, 1) < 0);
    close(p[0]);
    close(p[1]);
}

TEST_CASE("learning: layer writes arrive as a list, in order") {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    send_report(p[1], ReportTag::LayerWrite, "/home/u/outside-file");
    send_report(p[1], ReportTag::LayerWrite, "/var/tmp/x");
    send_report(p[1], ReportTag::WaitStatus, "0");
    close(p[1]);
    std::string bytes;
    char buf[512];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    close(p[0]);
    const auto r = parse_reports(bytes);
    REQUIRE(r.layer_writes.size() == 2);
    CHECK(r.layer_writes[0] == "/home/u/outside-file");
    CHECK(r.layer_writes[1] == "/var/tmp/x");
    CHECK(r.has_wait_status);
}

TEST_CASE("the usage report carries CPU milliseconds and peak RSS") {
    // As the other tests, through a pipe; the pipe part is theirs to prove.
    std::string bytes;
    bytes += std::string("U\x07\0\0\0", 5) + "12 3456";
    bytes += std::string("W\x01\0\0\0", 5) + "0";
    auto r = parse_reports(bytes);
    CHECK(r.has_usage);
    CHECK(r.cpu_ms == 12);
    CHECK(r.max_rss_kb == 3456);
    CHECK(r.has_wait_status);
    CHECK_FALSE(parse_reports(std::string("U\x03\0\0\0"
                                          "12x",
                                          8))
                    .has_usage);
}
