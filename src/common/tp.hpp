#pragma once
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
inline void tp(const char* name) {
    if (getenv("MXC_TP") == nullptr) return;
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[128];
    int n = snprintf(buf, sizeof buf, "TP %s %ld\n", name, (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000);
    (void)!write(2, buf, n);
}
