#include "cli/args.hpp"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
// shellapi.h needs the types windows.h declares, so it must come second.
#include <windows.h>

#include <shellapi.h>
#else
#include <unistd.h>
#endif

namespace mxc::cli {

#ifdef _WIN32
namespace {

std::string to_utf8(const wchar_t* w) {
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
    if (n <= 1) return {};
    std::string out(static_cast<std::size_t>(n - 1), '\0');
    WideCharToMultiByte(CP_UTF8, 0, w, -1, out.data(), n, nullptr, nullptr);
    return out;
}

}  // namespace

std::vector<std::string> command_line_args(int argc, char** argv) {
    int count = 0;
    wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
    if (wide == nullptr) return std::vector<std::string>(argv + 1, argv + argc);
    std::vector<std::string> out;
    for (int i = 1; i < count; ++i) out.push_back(to_utf8(wide[i]));
    LocalFree(wide);
    return out;
}
#else
std::vector<std::string> command_line_args(int argc, char** argv) {
    return std::vector<std::string>(argv + 1, argv + argc);
}
#endif

long parent_process_id() {
#ifdef _WIN32
    return 0;
#else
    return static_cast<long>(::getppid());
#endif
}

}  // namespace mxc::cli
