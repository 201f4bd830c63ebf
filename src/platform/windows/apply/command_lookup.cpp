#include "platform/windows/apply/command_lookup.hpp"

#include <vector>

#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/command_line.hpp"
#include "platform/windows/plan/win_path.hpp"

namespace mxc::platform::win {
namespace {

bool is_file(const std::wstring& p) {
    DWORD a = GetFileAttributesW(p.c_str());
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

std::string env_value(const EnvList& env, const char* name) {
    for (const auto& [k, v] : env)
        if (path_equal(k, name)) return v;
    return {};
}

std::vector<std::wstring> split_semicolons(const std::wstring& s) {
    std::vector<std::wstring> out;
    std::wstring cur;
    for (wchar_t c : s) {
        if (c == L';') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != L'"') {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool has_extension(const std::wstring& name) {
    auto slash = name.find_last_of(L"\\/");
    auto dot = name.find_last_of(L'.');
    return dot != std::wstring::npos && (slash == std::wstring::npos || dot > slash);
}

LookupResult check(const std::wstring& candidate) {
    LookupResult r;
    if (!is_file(candidate)) return r;
    r.path = candidate;
    const std::string name = narrow(candidate);
    if (names_stream(name)) {
        r.kind = LookupResult::Kind::NotExecutable;
        r.reason = "alternate data streams are not started: " + name;
        return r;
    }
    // "t.bat.", "t.bat " and "t.bat::$DATA" are t.bat to CreateProcess.
    if (is_batch_script(name)) {
        // cmd.exe re-parses batch arguments with its own rules; MSVCRT quoting
        // is not enough to pass them safely ("BatBadBut"), so be explicit.
        r.kind = LookupResult::Kind::NotExecutable;
        r.reason = "batch files are not started directly: run cmd /c " + narrow(candidate);
        return r;
    }
    r.kind = LookupResult::Kind::Found;
    return r;
}

}  // namespace

LookupResult find_executable(const std::string& argv0, const EnvList& child_env) {
    std::wstring name = widen(argv0);
    std::vector<std::wstring> exts = {L""};
    if (!has_extension(name)) {
        std::wstring pathext = widen(env_value(child_env, "PATHEXT"));
        if (pathext.empty()) pathext = L".COM;.EXE;.BAT;.CMD";
        exts = split_semicolons(pathext);
    }
    auto try_base = [&](const std::wstring& base) -> LookupResult {
        for (const auto& e : exts) {
            auto r = check(base + e);
            if (r.kind != LookupResult::Kind::NotFound) return r;
        }
        return {};
    };
    if (name.find_first_of(L"\\/:") != std::wstring::npos) return try_base(name);
    for (const auto& dir : split_semicolons(widen(env_value(child_env, "PATH")))) {
        std::wstring base = dir;
        if (!base.empty() && base.back() != L'\\' && base.back() != L'/') base += L'\\';
        auto r = try_base(base + name);
        if (r.kind != LookupResult::Kind::NotFound) return r;
    }
    return {};
}

}  // namespace mxc::platform::win
