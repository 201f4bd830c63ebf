// Everyday tools behave the same inside the default sandbox as outside.
#include <doctest/doctest.h>

#include "support.hpp"

using mxc::itest::sandbox;
using mxc::test::TempDir;

namespace {
// Runs the same shell snippet bare and sandboxed, each in its own fresh
// workspace with the same files; returns {outside, inside}.
std::pair<mxc::test::RunResult, mxc::test::RunResult> both(
    const std::string& script, const std::vector<std::pair<std::string, std::string>>& files = {}) {
    TempDir a;
    TempDir b;
    for (const auto& [name, content] : files) {
        a.write(name, content);
        b.write(name, content);
    }
    mxc::test::RunSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.cwd = a.path();
    auto outside = mxc::test::run(spec);
    auto inside = sandbox(b.path(), {"--", "/bin/sh", "-c", script});
    return {outside, inside};
}
}  // namespace

TEST_CASE("git init, add, commit and log in the workspace") {
    const std::string script =
        "export GIT_AUTHOR_DATE=\"2020-01-01T00:00:00Z\" GIT_COMMITTER_DATE=\"2020-01-01T00:00:00Z\" "
        "GIT_CONFIG_NOSYSTEM=1 HOME=$PWD; "
        "git init -q -b main . && git add a.txt && git -c user.name=t -c user.email=t@e commit -q -m first "
        "&& "
        "git log --format='%H %s' && git status --short";
    auto [outside, inside] = both(script, {{"a.txt", "hello\n"}});
    CHECK(outside.status == 0);
    CHECK(inside.status == outside.status);
    CHECK(inside.out == outside.out);
    CHECK(inside.err == outside.err);
}

TEST_CASE("a C program compiles with cc and runs") {
    const std::string script = "cc -O2 -o hello hello.c && ./hello";
    auto [outside, inside] =
        both(script, {{"hello.c", "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"}});
    CHECK(outside.out == "hello\n");
    CHECK(inside.status == 0);
    CHECK(inside.out == outside.out);
    CHECK(inside.err == outside.err);
}

TEST_CASE("a python3 script") {
    const std::string script = "/usr/bin/python3 s.py";
    auto [outside, inside] =
        both(script, {{"s.py",
                       "import json,sys,hashlib\nprint(json.dumps({'s': "
                       "hashlib.sha256(b'x').hexdigest()[:8], 'v': sys.version_info[0]}))\n"}});
    CHECK(outside.status == 0);
    CHECK(inside.out == outside.out);
    CHECK(inside.err == outside.err);
}

TEST_CASE("make builds a target") {
    auto [outside, inside] =
        both("make -s && cat out", {{"Makefile", "out: in\n\tcp in out\n\techo built\n"}, {"in", "data\n"}});
    CHECK(outside.out == "built\ndata\n");
    CHECK(inside.out == outside.out);
    CHECK(inside.status == 0);
}

TEST_CASE("a shell pipeline") {
    auto [outside, inside] =
        both("printf 'b\\na\\nc\\na\\n' | sort | uniq -c | sed 's/^ *//' | tr '\\n' ';'");
    CHECK(inside.out == outside.out);
    CHECK(inside.out == "2 a;1 b;1 c;");
}
