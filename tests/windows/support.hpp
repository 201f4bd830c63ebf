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
// The test policy with {tmp} = %TEMP%\mxc-<run_id> (so the run journals
// and creates it), run id `run_id`.
int exec_with_tmp(const std::string& run_id, const std::vector<std::string>& argv);
// wine only: SIGKILL (a real one, not TerminateProcess) to the one wine
// process whose command line contains "--exec-tmp <run_id>" (pgrep from an
// ELF child; the run id is random, so nothing else matches). False unless
// exactly one process matched.
bool unix_kill9_launcher(const std::string& run_id);

std::string temp_dir();  // fresh, unique directory under %TEMP%

// wine only: the Unix path of a Windows path (wine_get_unix_file_name), and
// a Unix symlink made by running /bin/ln (an ELF child: wine starts it
// outside Windows, and CreateSymbolicLinkW creates nothing under wine 8).
// Windows code sees such a symlink as a reparse point.
std::string unix_path_of(const std::string& windows_path);
bool plant_unix_symlink(const std::string& target, const std::string& link);

// A fresh 32-hex run id and this user's %TEMP% (what journals are checked against).
std::string fresh_run_id();
std::string temp_root();

// Helper child: CONNECT to `target` through $HTTP_PROXY; prints "proxy <url>",
// the reply's status line, and on 200 what a "ping" echoed back.
int proxy_connect_helper(const std::string& target);

}  // namespace mxc::test::win
