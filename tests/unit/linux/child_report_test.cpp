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
    // Exactly two numbers, as init writes them.
    CHECK_FALSE(parse_reports(std::string("U\x02\0\0\0", 5) + "12").has_usage);
    CHECK_FALSE(parse_reports(std::string("U\x06\0\0\0", 5) + "12 34 ").has_usage);
    CHECK_FALSE(parse_reports(std::string("U\x05\0\0\0", 5) + "-1 34").has_usage);
}

TEST_CASE("reports parsed a piece at a time equal the reports parsed at once, wherever the reads end") {
    std::string all;
    all += std::string("S\x06\0\0\0", 5) + "12 map";
    all += std::string("w\x01\0\0\0", 5) + "x";
    all += std::string("L\x02\0\0\0", 5) + "/a";
    all += std::string("U\x03\0\0\0", 5) + "1 2";
    all += std::string("W\x03\0\0\0", 5) + "256";
    const ChildReports whole = parse_reports(all);
    REQUIRE(whole.has_wait_status);
    for (std::size_t cut = 0; cut <= all.size(); ++cut) {
        CAPTURE(cut);
        ChildReports pieces;
        std::string bytes = all.substr(0, cut);
        std::size_t parsed = parse_reports_into(pieces, bytes, 0);
        CHECK(parsed <= cut);
        bytes = all;
        parsed = parse_reports_into(pieces, bytes, parsed);
        CHECK(parsed == all.size());
        CHECK(pieces.steps.size() == whole.steps.size());
        CHECK(pieces.warnings == whole.warnings);
        CHECK(pieces.layer_writes == whole.layer_writes);
        CHECK(pieces.has_usage == whole.has_usage);
        CHECK(pieces.cpu_ms == whole.cpu_ms);
        CHECK(pieces.wait_status == whole.wait_status);
    }
}
