#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::read_file;
using mxc::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("the workspace is writable and the write lands on the host") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "echo hi > f && mkdir d && mv f d/g"});
    CHECK(r.status == 0);
    CHECK(read_file(ws.path() + "/d/g") == "hi\n");
}

TEST_CASE("writing outside the write rules fails") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "echo x > /usr/mxc-test-x"});
    CHECK(r.status != 0);
    CHECK_FALSE(fs::exists("/usr/mxc-test-x"));
    CHECK(sandbox(ws.path(), {"--", "sh", "-c", "echo x > /etc/mxc-test-x"}).status != 0);
    CHECK_FALSE(fs::exists("/etc/mxc-test-x"));
}

TEST_CASE("paths outside every rule are not visible at all") {
    TempDir ws;
    TempDir other;
    other.write("secret.txt", "s3cret");
    auto r = sandbox(
        ws.path(),
        {"--", "sh", "-c", "cat " + other.path() + "/secret.txt; ls /var /home /root /sys 2>&1 | wc -l"});
    CHECK(r.out.find("s3cret") == std::string::npos);
    CHECK(r.err.find("No such file") != std::string::npos);
}

TEST_CASE("a denied directory inside the workspace is hidden and empty") {
    TempDir ws;
    ws.write("secret/key", "private");
    auto r = sandbox(ws.path(), {"--deny", ws.path() + "/secret", "--", "sh", "-c",
                                 "ls -A secret | wc -l; cat secret/key; touch secret/new"});
    CHECK(r.out == "0\n");
    CHECK(r.err.find("private") == std::string::npos);
    CHECK_FALSE(fs::exists(ws.path() + "/secret/new"));
    CHECK(read_file(ws.path() + "/secret/key") == "private");
}

TEST_CASE("a denied file inside the workspace reads as empty and cannot be written") {
    TempDir ws;
    ws.write(".env", "TOKEN=abc");
    auto r = sandbox(ws.path(), {"--deny", ws.path() + "/.env", "--", "sh", "-c", "cat .env; echo x > .env"});
    CHECK(r.out.empty());
    CHECK(r.status != 0);
    CHECK(read_file(ws.path() + "/.env") == "TOKEN=abc");
}

TEST_CASE("a read rule inside the workspace makes that subtree read-only") {
    TempDir ws;
    ws.write(".git/HEAD", "ref");
    auto r = sandbox(ws.path(),
                     {"--read", ws.path() + "/.git", "--", "sh", "-c", "echo x > .git/HEAD; echo y > ok"});
    CHECK(r.status == 0);
    CHECK(read_file(ws.path() + "/.git/HEAD") == "ref");
    CHECK(read_file(ws.path() + "/ok") == "y\n");
}

TEST_CASE("a rule through a symlink in a shared temp dir applies to nothing, with a warning naming it") {
    // Anyone, and any earlier run, can plant links in /tmp: the rule must
    // not follow one (the trusted case, /bin -> usr/bin, is in every run).
    TempDir ws;
    TempDir data;
    data.write("file.txt", "target-data");
    const std::string link = ws.path() + "/../" + fs::path(ws.path()).filename().string() + "-link";
    fs::create_symlink(data.path(), link);
    auto r = sandbox(ws.path(), {"--read", link, "--", "cat", data.path() + "/file.txt"});
    fs::remove(link);
    CHECK(r.status != 0);
    CHECK(r.out.empty());
    CHECK(r.err.find("passes through the symlink") != std::string::npos);
    CHECK(r.err.find("-link -> " + data.path()) != std::string::npos);
}

TEST_CASE("{tmp} exists and is writable inside, and never appears on the host") {
    TempDir ws;
    const std::string tmp = "/tmp/mxc-itest-tmp-" + std::to_string(getpid());
    auto r = sandbox(ws.path(), {"--tmp", tmp, "--", "sh", "-c",
                                 "echo data > " + tmp + "/x && cat " + tmp + "/x && ls -ld " + tmp});
    CHECK(r.status == 0);
    CHECK(r.out.find("data\n") == 0);
    CHECK(r.out.find("drwx------") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp));
}

TEST_CASE("/tmp is private and empty of host files") {
    TempDir ws;
    TempDir host_only;
    auto r = sandbox(ws.path(), {"--tmp", "/tmp/mxc-itest-private", "--", "sh", "-c",
                                 "echo x > /tmp/private-file; ls /tmp | LC_ALL=C sort"});
    CHECK(r.status == 0);
    // Only the workspace's mount point, {tmp} and what the command wrote.
    CHECK(r.out ==
          "mxc-itest-private\n" + std::filesystem::path(ws.path()).filename().string() + "\nprivate-file\n");
    CHECK_FALSE(fs::exists("/tmp/private-file"));
}

TEST_CASE("/proc shows only the sandbox's processes") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c", "ls /proc | grep -c '^[0-9]'"});
    CHECK(r.status == 0);
    CHECK(std::stoi(r.out) <= 4);  // init, sh, ls, grep
}

TEST_CASE("minimal /dev: null, zero, urandom work, host disks are absent") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "sh", "-c",
                                 "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 "
                                 "/dev/urandom | wc -c && ls /dev | tr '\\n' ' '"});
    CHECK(r.status == 0);
    CHECK(r.out.find("4\n4\n") == 0);
    CHECK(r.out.find("sda") == std::string::npos);
    CHECK(r.out.find("ptmx") != std::string::npos);
}

TEST_CASE("network none: loopback is up and nothing else exists") {
    TempDir ws;
    auto r =
        sandbox(ws.path(),
                {"--", "bash", "-c",
                 "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '; (exec 3<>/dev/tcp/127.0.0.1/9) 2>&1"});
    CHECK(r.out.find("lo\n") == 0);
    CHECK(r.out.find("eth") == std::string::npos);
    CHECK(r.out.find("Connection refused") != std::string::npos);
}

TEST_CASE("network host: the host's interfaces are visible") {
    TempDir ws;
    auto inside = sandbox(
        ws.path(), {"--net", "host", "--", "sh", "-c", "cut -d: -f1 /proc/net/dev | tail -n +3 | wc -l"});
    auto outside = mxc::test::bare({"sh", "-c", "cut -d: -f1 /proc/net/dev | tail -n +3 | wc -l"});
    CHECK(inside.out == outside.out);
}

TEST_CASE("the command has no capabilities and no_new_privs, whoever calls mxc") {
    TempDir ws;
    auto r =
        sandbox(ws.path(), {"--", "sh", "-c", "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status"});
    CHECK(r.out == "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n");
}

TEST_CASE("the command runs as the caller's uid") {
    TempDir ws;
    auto r = sandbox(ws.path(), {"--", "id", "-u"});
    CHECK(r.out == std::to_string(mxc::test::test_uid()) + "\n");
}

TEST_CASE("host-wide /proc files are read-only even for a caller mapped to root") {
    TempDir ws;
    // Sysctl permission checks compare the euid with host root; without the
    // read-only /proc/sys a root caller could change host settings.
    auto r = sandbox(
        ws.path(),
        {"--", "sh", "-c",
         "cat /proc/sys/vm/swappiness | dd of=/proc/sys/vm/swappiness conv=notrunc status=none; echo rc=$?"});
    CHECK(r.out == "rc=1\n");
    CHECK((r.err.find("Read-only file system") != std::string::npos ||
           r.err.find("Permission denied") != std::string::npos));
}

TEST_CASE("the command's own /proc/self files stay writable") {
    TempDir ws;
    auto r = sandbox(ws.path(),
                     {"--", "sh", "-c", "echo 500 > /proc/self/oom_score_adj && cat /proc/$$/oom_score_adj"});
    CHECK(r.out == "500\n");
}

TEST_CASE("a read rule inside a denied directory is visible, the rest of it stays hidden") {
    TempDir ws;
    ws.write("secret/key", "private");
    ws.write("secret/pub/cert", "public");
    auto r = sandbox(ws.path(), {"--deny", ws.path() + "/secret", "--read", ws.path() + "/secret/pub", "--",
                                 "sh", "-c", "cat secret/pub/cert; ls secret; cat secret/key"});
    CHECK(r.out == "publicpub\n");
    CHECK(r.err.find("private") == std::string::npos);
}
