// Test-only LD_PRELOAD shim: every timerfd_create() fails with EMFILE, as it
// does when the caller is out of descriptors. The supervisor creates its
// timers after it sent an early init its orders and before the go-ahead,
// so a run with limits.wall_time fails right between the two.
#include <sys/timerfd.h>

#include <cerrno>

extern "C" int timerfd_create(int /*clockid*/, int /*flags*/) noexcept {
    errno = EMFILE;
    return -1;
}
