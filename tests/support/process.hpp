#pragma once
// Runs a program for a test and captures what it did. Used to run the built
// mxc binary and, for escape-test controls, the same command without mxc.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mxc::test {

struct RunSpec {
    std::vector<std::string> argv;
    std::string stdin_data;
    std::optional<std::map<std::string, std::string>> env;  // default: inherit
    std::string cwd;                                        // default: inherit
    bool as_test_identity = true;  // drop to the unprivileged user when MXC_TEST_AS=unprivileged
    std::chrono::milliseconds timeout{30000};
};

struct RunResult {
    int status = -1;  // exit code, or 128+signal, like a shell's $?
    std::string out;
    std::string err;
    bool timed_out = false;
};

RunResult run(const RunSpec& spec);

// Shorthands: run the built mxc with these arguments / run a command bare.
RunResult mxc(const std::vector<std::string>& args, const std::string& stdin_data = {});
RunResult bare(const std::vector<std::string>& argv, const std::string& stdin_data = {});

// True when this test process runs its children as the unprivileged test user.
bool unprivileged();
// uid/gid children run as (the test user, or our own ids).
unsigned test_uid();
unsigned test_gid();

// A temporary directory owned by the test identity, removed on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    // Write a file (relative to the dir), owned by the test identity.
    std::string write(const std::string& relative, const std::string& content) const;

private:
    std::string path_;
};

std::string read_file(const std::string& path);

}  // namespace mxc::test
