// Test-only LD_PRELOAD shim: every pthread_create() fails with EAGAIN, as it
// does when the caller is at RLIMIT_NPROC or no memory is left for a stack.
// std::thread then throws std::system_error. Lets a test see which runs of
// mxc need a thread at all and how a thread that cannot start fails a run.
#include <pthread.h>

#include <cerrno>

extern "C" int pthread_create(pthread_t* /*thread*/, const pthread_attr_t* /*attr*/,
                              void* (* /*start*/)(void*), void* /*arg*/) {
    return EAGAIN;
}
