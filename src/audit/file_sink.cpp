#include "audit/file_sink.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#ifdef _WIN32
#include <io.h>
#include <sys/stat.h>  // _S_IREAD / _S_IWRITE (mingw-w64)
#define MXC_WRITE _write
#define MXC_CLOSE _close
#else
#include <unistd.h>

#include "common/private_file.hpp"
#define MXC_WRITE ::write
#define MXC_CLOSE ::close
#endif

namespace mxc::audit {
namespace {

class FileSink final : public Sink {
public:
    FileSink(int fd, bool owns) : fd_(fd), owns_(owns) {}
    ~FileSink() override {
        if (owns_) MXC_CLOSE(fd_);
    }
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    void write(const Identity& /*who*/, const Record& record) override {
        std::string line(record.json);
        line += '\n';
        // One write() per line: with O_APPEND the kernel places it atomically
        // at the end, so concurrent mxc processes sharing a log never interleave.
        const char* p = line.data();
        std::size_t left = line.size();
        while (left > 0) {
            auto n = MXC_WRITE(fd_, p, static_cast<unsigned>(left));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // An unwritable audit log must not kill the sandboxed command.
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
    bool owns_;
};

}  // namespace

Result<SinkPtr> open_file_sink(const std::string& path, FileOwner owner, const std::string& what) {
    if (owner == FileOwner::Caller && path == "-") return SinkPtr(new FileSink(2, false));
#ifdef _WIN32
    int fd = ::_open(path.c_str(), _O_WRONLY | _O_APPEND | _O_CREAT | _O_BINARY, _S_IREAD | _S_IWRITE);
    if (fd < 0) {
        return make_error("cannot open " + what + " " + path + ": " + std::strerror(errno) +
                          " (check the directory exists and is writable)");
    }
#else
    // The log may hold argv and hostnames: private to the user (0600). The
    // supervisor is unconfined, so the path is not trusted (private_file.hpp).
    auto opened = open_private_append(
        path, what, owner == FileOwner::Managed ? AppendOwner::CallerOrRoot : AppendOwner::Caller);
    if (!opened) return opened.error();
    const int fd = opened->release();
#endif
    return SinkPtr(new FileSink(fd, true));
}

}  // namespace mxc::audit
