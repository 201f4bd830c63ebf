#pragma once
// Helpers for the Windows tests: run a child with captured stdio, detect wine,
// and the hand-built policy the exec tests use (the loader is tested elsewhere).
#include <chrono>
#include <string>
#include <vector>

#include "policy/model.hpp"

namespace mxc::test::win {

struct Captured {
    int status = -1;
    std::string out;
    std::string err;
};

// Runs this test exe with `args` (after argv[0]), stdout/stderr captured.
Captured run_self(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));
std::string self_path();
std::vector<std::string> wide_args();

// wine exports wine_get_version from ntdll; Windows does not.
bool under_wine();

// best_effort on, network none (allowlist with MXC_TEST_ALLOW_NET's comma-
// separated rules when set), PATH & co. passed, optional wall time.
policy::ResolvedPolicy test_policy();
int exec_with_test_policy(const std::vector<std::string>& argv);

std::string temp_dir();  // fresh, unique directory under %TEMP%

// Helper child: CONNECT to `target` through $HTTP_PROXY; prints "proxy <url>",
// the reply's status line, and on 200 what a "ping" echoed back.
int proxy_connect_helper(const std::string& target);

}  // namespace mxc::test::win
