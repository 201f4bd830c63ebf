#include "support.hpp"

#include <windows.h>

#include <shellapi.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "platform/platform.hpp"
#include "platform/windows/apply/acl_journal.hpp"
#include "platform/windows/apply/host_probe.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/command_line.hpp"
#include "platform/windows/plan/journal_format.hpp"
#include "policy/host_rules.hpp"

namespace mxc::test::win {

using platform::win::narrow;
using platform::win::UniqueHandle;
using platform::win::widen;

std::vector<std::string> wide_args() {
    int n = 0;
    wchar_t** w = CommandLineToArgvW(GetCommandLineW(), &n);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(narrow(w[i]));
    LocalFree(w);
    return out;
}

std::string self_path() {
    std::wstring buf(32768, L'\0');
    DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
    return narrow(buf.substr(0, n));
}

bool under_wine() {
    return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}

namespace {

void drain(HANDLE h, std::string* out) {
    char buf[4096];
    DWORD n = 0;
    while (ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0) out->append(buf, n);
}

std::string strip_cr(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '\r') out.push_back(c);
    return out;
}

}  // namespace

Captured run_self(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    Captured c;
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    HANDLE out_r = nullptr, out_w = nullptr, err_r = nullptr, err_w = nullptr;
    CreatePipe(&out_r, &out_w, &sa, 0);
    CreatePipe(&err_r, &err_w, &sa, 0);
    UniqueHandle or_(out_r), ow(out_w), er(err_r), ew(err_w);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(err_r, HANDLE_FLAG_INHERIT, 0);

    std::vector<std::string> argv = {self_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::wstring cmd = widen(platform::win::build_command_line(argv));
    std::wstring app = widen(argv[0]);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out_w;
    si.hStdError = err_w;
    PROCESS_INFORMATION pi{};
    if (!CreateProcessW(app.c_str(), cmd.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi))
        return c;
    UniqueHandle proc(pi.hProcess), thread(pi.hThread);
    ow.reset();
    ew.reset();
    std::thread t_out(drain, out_r, &c.out);
    std::thread t_err(drain, err_r, &c.err);
    if (WaitForSingleObject(proc.get(), static_cast<DWORD>(timeout.count())) == WAIT_TIMEOUT) {
        TerminateProcess(proc.get(), 999);
        WaitForSingleObject(proc.get(), INFINITE);
    }
    t_out.join();
    t_err.join();
    DWORD code = 0;
    GetExitCodeProcess(proc.get(), &code);
    c.status = static_cast<int>(code);
    c.out = strip_cr(c.out);
    c.err = strip_cr(c.err);
    return c;
}

policy::ResolvedPolicy test_policy() {
    policy::ResolvedPolicy p;
    p.name = "wine-test";
    p.source = "builtin:wine-test";
    char cwd[MAX_PATH];
    GetCurrentDirectoryA(MAX_PATH, cwd);
    p.workspace = cwd;
    p.network.mode.value = policy::NetMode::None;
    if (const char* allow = std::getenv("MXC_TEST_ALLOW_NET")) {
        p.network.mode.value = policy::NetMode::Allowlist;
        std::string rules = allow;
        for (std::size_t start = 0; start <= rules.size();) {
            std::size_t comma = rules.find(',', start);
            if (comma == std::string::npos) comma = rules.size();
            if (comma > start)
                p.network.allow.push_back(policy::host_rule_entry(rules.substr(start, comma - start)));
            start = comma + 1;
        }
    }
    for (const char* v : {"PATH", "PATHEXT", "SystemRoot", "windir", "ComSpec", "TEMP", "TMP", "WINE*"})
        p.env.pass.push_back({v, {}});
    p.best_effort.value = true;
    if (const char* wall = std::getenv("MXC_TEST_WALL_MS")) {
        p.limits.wall_time =
            policy::Sourced<std::chrono::milliseconds>{std::chrono::milliseconds(std::atoi(wall)), {}};
    }
    return p;
}

int exec_with_test_policy(const std::vector<std::string>& argv) {
    platform::ExecRequest req;
    req.argv = argv;
    req.session_id = "";  // a random run id per exec
    req.dry_run = std::getenv("MXC_TEST_DRY_RUN") != nullptr;
    return platform::exec(test_policy(), req);
}

std::string temp_dir() {
    static int counter = 0;
    // wine reuses small process ids across runs: a random part keeps the
    // directory fresh (a leftover journal from an earlier run would be replayed).
    auto base = std::filesystem::temp_directory_path() /
                ("mxc-wtest-" + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(++counter) +
                 "-" + platform::win::random_run_id().substr(0, 8));
    std::filesystem::create_directories(base);
    return base.string();
}

std::string unix_path_of(const std::string& windows_path) {
    using Fn = char*(CDECL*)(LPCWSTR);
    auto fn = reinterpret_cast<Fn>(reinterpret_cast<void*>(
        GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name")));
    if (!fn) return {};
    char* p = fn(widen(windows_path).c_str());
    if (!p) return {};
    std::string out = p;
    HeapFree(GetProcessHeap(), 0, p);
    return out;
}

bool plant_unix_symlink(const std::string& target, const std::string& link) {
    std::string t = unix_path_of(target), l = unix_path_of(link);
    if (t.empty() || l.empty()) return false;
    std::vector<std::string> argv = {"/bin/ln", "-s", t, l};
    std::wstring cmd = widen(platform::win::build_command_line(argv));
    STARTUPINFOW si{};
    si.cb = sizeof si;
    PROCESS_INFORMATION pi{};
    if (!CreateProcessW(L"Z:\\bin\\ln", cmd.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si, &pi))
        return false;
    UniqueHandle proc(pi.hProcess), thread(pi.hThread);
    WaitForSingleObject(proc.get(), 10000);
    // An ELF child's exit code is not always reported: check the result.
    for (int i = 0; i < 50; ++i) {
        if (GetFileAttributesW(widen(link).c_str()) != INVALID_FILE_ATTRIBUTES) return true;
        Sleep(100);
    }
    return false;
}

int exec_with_tmp(const std::string& run_id, const std::vector<std::string>& argv) {
    auto policy = test_policy();
    policy.tmp = *platform::win::journal_tmp_dir(temp_root(), run_id);
    policy.tmp = policy.tmp.substr(4);  // as the resolver gives it: C:\...
    platform::ExecRequest req;
    req.argv = argv;
    req.session_id = run_id;  // run id = session id, as with the CLI
    return platform::exec(policy, req);
}

bool unix_kill9_launcher(const std::string& run_id) {
    // "[p]": the pattern does not match the shell's own command line.
    std::string script =
        "pids=$(pgrep -f -- \"exec-tm[p] " + run_id +
        "\"); [ \"$(echo $pids | wc -w)\" -eq 1 ] && kill -KILL $pids && echo killed > \"$1\"";
    std::string marker = temp_dir() + "\\killed";
    std::vector<std::string> argv = {"/bin/sh", "-c", script, "sh", unix_path_of(marker)};
    std::wstring cmd = widen(platform::win::build_command_line(argv));
    STARTUPINFOW si{};
    si.cb = sizeof si;
    PROCESS_INFORMATION pi{};
    if (!CreateProcessW(L"Z:\\bin\\sh", cmd.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si, &pi))
        return false;
    UniqueHandle proc(pi.hProcess), thread(pi.hThread);
    for (int i = 0; i < 100; ++i) {
        if (std::filesystem::exists(marker)) return true;
        Sleep(100);
    }
    return false;
}

std::string fresh_run_id() {
    return platform::win::random_run_id();
}

std::string temp_root() {
    return narrow(platform::win::AclJournal::temp_root());
}

}  // namespace mxc::test::win
