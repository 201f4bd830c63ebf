// A stand-in for a library the supervisor dlopen()s (libldns.so.3 in the
// escape test): its constructor proves it ran by creating the file named by
// MXC_FAKE_LIB_MARKER. It exports none of the real library's symbols, so a
// loader that looks them up fails afterwards, as it would with a real plant.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

__attribute__((constructor)) static void mxc_fake_library_loaded() {
    const char* marker = std::getenv("MXC_FAKE_LIB_MARKER");
    if (marker == nullptr) return;
    int fd = ::open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    static const char kText[] = "loaded\n";
    (void)!::write(fd, kText, sizeof kText - 1);
    ::close(fd);
}
