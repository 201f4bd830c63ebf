// The control for the planted-library escape test: `mxc-dlopen-probe NAME`
// dlopen()s NAME the way the supervisor does (searching LD_LIBRARY_PATH), so
// the fake library's constructor runs exactly when a load would run it.
// Exit 0 when the file was loaded (its symbols may be missing), 2 otherwise.
#include <dlfcn.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: mxc-dlopen-probe NAME\n");
        return 2;
    }
    if (::dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) == nullptr) {
        std::fprintf(stderr, "mxc-dlopen-probe: %s\n", ::dlerror());
        return 2;
    }
    return 0;
}
