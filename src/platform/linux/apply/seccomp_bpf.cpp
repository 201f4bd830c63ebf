#include "platform/linux/apply/seccomp_bpf.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "common/unique_fd.hpp"

namespace mxc::lnx {

Result<BpfCode> export_bpf(ScmpFilterCtx ctx) {
    UniqueFd fd(::memfd_create("mxc-seccomp-bpf", MFD_CLOEXEC));
    if (!fd.valid()) return make_error(std::string("seccomp: memfd_create: ") + std::strerror(errno));
    if (int rc = seccomp_export_bpf(ctx, fd.get()); rc != 0)
        return make_error(std::string("seccomp: exporting the filter: ") + std::strerror(-rc));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return make_error(std::string("seccomp: fstat: ") + std::strerror(errno));
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size == 0 || size % sizeof(sock_filter) != 0)
        return make_error("seccomp: libseccomp exported " + std::to_string(size) +
                          " bytes, not a BPF program");
    BpfCode code(size / sizeof(sock_filter));
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd.get(), reinterpret_cast<char*>(code.data()) + done, size - done,
                                  static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return make_error("seccomp: reading the exported filter back failed");
        done += static_cast<std::size_t>(n);
    }
    return code;
}

}  // namespace mxc::lnx
