// limits.memory under the built-in default profile (8GiB) on a host without a
// delegated memory cgroup: runtimes that reserve far more address space than
// they use must work (issue 12: RLIMIT_AS killed node and WebAssembly), and a
// plain allocation of 2 GiB must succeed.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>

#include "support.hpp"

using mxc::test::TempDir;

namespace {

mxc::test::RunResult mxc_default(const TempDir& ws, const std::vector<std::string>& flags,
                                 const std::vector<std::string>& command) {
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "exec", "-p", "default", "-w", ws.path()};
    spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
    spec.argv.emplace_back("--");
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.cwd = ws.path();
    return mxc::test::run(spec);
}

bool installed(const char* path) {
    return ::access(path, X_OK) == 0;
}

// A module with one memory of 1 page: V8 reserves its full guard region for it.
constexpr const char* kWasm =
    "WebAssembly.instantiate(new Uint8Array([0,97,115,109,1,0,0,0,5,3,1,0,1]))"
    ".then(()=>console.log('ok'), e=>{console.error(String(e)); process.exit(3)})";

}  // namespace

TEST_CASE("node instantiates WebAssembly memory under the default profile") {
    if (!installed("/usr/bin/node")) return;  // node is optional on test hosts
    TempDir ws;
    auto r = mxc_default(ws, {}, {"/usr/bin/node", "-e", kWasm});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "ok\n");
}

TEST_CASE("java starts and allocates under the default profile") {
    if (!installed("/usr/bin/java")) return;  // a JDK is optional on test hosts
    TempDir ws;
    auto v = mxc_default(ws, {}, {"/usr/bin/java", "-version"});
    INFO("stderr: ", v.err);
    CHECK(v.status == 0);
    CHECK(v.err.find("version") != std::string::npos);
    // 1 GiB in four arrays, through the single-file source launcher.
    std::ofstream(ws.path() + "/A.java")
        << "public class A { public static void main(String[] a) { byte[][] b = new byte[4][];"
           " for (int i = 0; i < 4; i++) b[i] = new byte[256 << 20]; System.out.println(\"ok\"); } }\n";
    auto r = mxc_default(ws, {}, {"/usr/bin/java", "A.java"});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "ok\n");
}

TEST_CASE("a 2 GiB python allocation works under the default profile's 8GiB limit") {
    TempDir ws;
    auto r = mxc_default(ws, {}, {"/usr/bin/python3", "-c", "b = bytearray(2 << 30); print(len(b))"});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "2147483648\n");
}

TEST_CASE("--memory lowers the limit for one run and a larger allocation fails") {
    TempDir ws;
    auto r = mxc_default(ws, {"--memory", "256MiB"},
                         {"/usr/bin/python3", "-c",
                          "try:\n  b = bytearray(1 << 30)\n  print('allocated')\nexcept MemoryError:\n  "
                          "print('MemoryError')"});
    INFO("stderr: ", r.err);
    CHECK(r.out == "MemoryError\n");
}

TEST_CASE("processes each under the limit but together over it are stopped, reason limit") {
    TempDir ws;
    const std::string audit = ws.path() + "/audit.jsonl";
    auto r = mxc_default(ws, {"--memory", "1GiB", "--audit", audit},
                         {"sh", "-c",
                          "for i in 1 2 3 4; do python3 -c 'import time; b = bytearray(400 << 20); "
                          "time.sleep(20)' & done; wait; echo survived"});
    INFO("stderr: ", r.err);
    if (r.err.find("cgroup v2 memory.max") != std::string::npos)
        return;  // a delegated host: the cgroup OOM-kills
    CHECK(r.status == 128 + 9);
    CHECK(r.out.empty());
    CHECK(r.err.find("mxc: limits.memory: the sandbox's processes held") != std::string::npos);
    const std::string log = mxc::test::read_file(audit);
    CHECK(log.find("\"reason\":\"limit\"") != std::string::npos);
}

TEST_CASE("processes together under the limit run to the end") {
    TempDir ws;
    auto r = mxc_default(ws, {"--memory", "1GiB"},
                         {"sh", "-c",
                          "for i in 1 2; do python3 -c 'import time; b = bytearray(300 << 20); "
                          "time.sleep(1)' & done; wait; echo survived"});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    CHECK(r.out == "survived\n");
}

TEST_CASE("--memory unlimited lifts the default profile's limit") {
    TempDir ws;
    auto r = mxc_default(ws, {"--memory", "unlimited"},
                         {"/usr/bin/python3", "-c",
                          "import resource\nprint(resource.getrlimit(resource.RLIMIT_DATA)[0] == "
                          "resource.RLIM_INFINITY or resource.getrlimit(resource.RLIMIT_DATA)[0])"});
    INFO("stderr: ", r.err);
    CHECK(r.status == 0);
    // The caller's own limit passes through unchanged (unlimited on test hosts).
    CHECK(r.out == "True\n");
}

TEST_CASE("mxc explain names the mechanism that limits memory") {
    TempDir ws;
    mxc::test::RunSpec spec;
    spec.argv = {MXC_BINARY, "explain", "-p", "default", "-w", ws.path()};
    spec.cwd = ws.path();
    auto r = mxc::test::run(spec);
    CHECK(r.status == 0);
    const bool named = r.out.find("RLIMIT_DATA per process") != std::string::npos ||
                       r.out.find("cgroup v2 memory.max") != std::string::npos;
    CHECK(named);
    CHECK(r.out.find("RLIMIT_AS") == std::string::npos);
}
