// System calls without libc, for code that runs in a clone() child sharing
// its parent's memory while the parent goes on (init_helper.cpp,
// command_standby.cpp): glibc's wrappers set errno, which lives in the
// thread block both tasks share. Returns the result or -errno.
#pragma once

#include <unistd.h>

#include <cerrno>

namespace mxc::lnx {

#if defined(__x86_64__) && !defined(__ILP32__)
inline constexpr bool kRawSyscalls = true;
inline long raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
inline constexpr bool kRawSyscalls = true;
inline long raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
}
#else
// Elsewhere the callers fall back to CLONE_VFORK (the parent waits, so
// nothing is shared while the child runs) and errno is safe to use.
inline constexpr bool kRawSyscalls = false;
inline long raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    const long r = ::syscall(nr, a, b, c, d, e);
    return r < 0 ? -errno : r;
}
#endif

}  // namespace mxc::lnx
