#include "common/win_error.hpp"

#include <windows.h>

#include <memory>

namespace mxc {

std::string win_error_message(unsigned long code) {
    wchar_t* buf = nullptr;
    const DWORD len = FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
        static_cast<DWORD>(code), 0, reinterpret_cast<wchar_t*>(&buf), 0, nullptr);
    const std::unique_ptr<wchar_t, decltype(&LocalFree)> owned(buf, &LocalFree);
    std::string text;
    if (len != 0) {
        const int n =
            WideCharToMultiByte(CP_UTF8, 0, buf, static_cast<int>(len), nullptr, 0, nullptr, nullptr);
        text.assign(static_cast<std::size_t>(n), '\0');
        WideCharToMultiByte(CP_UTF8, 0, buf, static_cast<int>(len), text.data(), n, nullptr, nullptr);
    }
    while (!text.empty() &&
           (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.'))
        text.pop_back();
    if (text.empty()) text = "unknown error";
    return text + " (error " + std::to_string(code) + ")";
}

}  // namespace mxc
