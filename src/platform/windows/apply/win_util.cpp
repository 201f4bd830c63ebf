#include "platform/windows/apply/win_util.hpp"

#include <sddl.h>

#include "common/win_error.hpp"

namespace mxc::platform::win {

std::wstring widen(std::string_view utf8) {
    if (utf8.empty()) return {};
    int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

std::string narrow(std::wstring_view utf16) {
    if (utf16.empty()) return {};
    int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), nullptr, 0, nullptr,
                                nullptr);
    std::string out(static_cast<std::size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n, nullptr,
                        nullptr);
    return out;
}

std::string win_error_text(const std::string& what, DWORD code) {
    return what + ": " + win_error_message(code);
}

Error win_error(const std::string& what, DWORD code) {
    return make_error(win_error_text(what, code));
}

Result<LocalPtr<void>> sid_from_string(const std::string& sid) {
    PSID out = nullptr;
    if (!ConvertStringSidToSidW(widen(sid).c_str(), &out)) return win_error("invalid SID " + sid);
    return LocalPtr<void>(out);
}

std::string sid_to_string(PSID sid) {
    wchar_t* s = nullptr;
    if (!sid || !ConvertSidToStringSidW(sid, &s)) return {};
    LocalPtr<wchar_t> owned(s);
    return narrow(s);
}

FARPROC find_function(const wchar_t* dll, const char* name) {
    // LoadLibraryExW with SEARCH_SYSTEM32: never pick up a planted DLL from
    // the current directory. The module stays loaded for the process lifetime.
    HMODULE m = GetModuleHandleW(dll);
    if (!m) m = LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!m) return nullptr;
    return GetProcAddress(m, name);
}

}  // namespace mxc::platform::win
