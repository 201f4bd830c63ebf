#pragma once
// Small Win32 helpers shared by the applier: RAII owners for the handle and
// memory kinds the backend touches, UTF-8 <-> UTF-16, and error text.
// Every owner here frees in its destructor; logic code never calls
// CloseHandle / LocalFree / FreeSid itself.
#include <windows.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"

namespace mxc::platform::win {

class UniqueHandle {
public:
    UniqueHandle() = default;
    explicit UniqueHandle(HANDLE h) : h_(h) {}
    ~UniqueHandle() { reset(); }
    UniqueHandle(UniqueHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    UniqueHandle& operator=(UniqueHandle&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;

    [[nodiscard]] HANDLE get() const { return h_; }
    [[nodiscard]] bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
    HANDLE* out() {
        reset();
        return &h_;
    }
    void reset(HANDLE h = nullptr) {
        if (valid()) CloseHandle(h_);
        h_ = h;
    }

private:
    HANDLE h_ = nullptr;
};

// Memory from LocalAlloc (ConvertStringSidToSidW, SetEntriesInAclW, the
// security-descriptor converters all hand these out).
struct LocalFreeDeleter {
    void operator()(void* p) const {
        if (p) LocalFree(p);
    }
};
template <class T>
using LocalPtr = std::unique_ptr<T, LocalFreeDeleter>;

// SIDs from DeriveAppContainerSidFromAppContainerName / CreateAppContainerProfile.
struct FreeSidDeleter {
    void operator()(void* p) const {
        if (p) FreeSid(p);
    }
};
using SidFromFreeSid = std::unique_ptr<void, FreeSidDeleter>;

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// "what failed: <system message> (error N)".
std::string win_error_text(const std::string& what, DWORD code);
Error win_error(const std::string& what, DWORD code = GetLastError());

// A string SID -> PSID owned by LocalFree.
Result<LocalPtr<void>> sid_from_string(const std::string& sid);
std::string sid_to_string(PSID sid);

// A function from a DLL that may be missing on this Windows version (or under
// wine). Null when absent; callers report "not enforceable" instead of failing
// to start.
FARPROC find_function(const wchar_t* dll, const char* name);
template <class Fn>
Fn find_function_as(const wchar_t* dll, const char* name) {
    return reinterpret_cast<Fn>(reinterpret_cast<void*>(find_function(dll, name)));
}

}  // namespace mxc::platform::win
