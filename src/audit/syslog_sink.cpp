#include "audit/syslog_sink.hpp"

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit/syslog_format.hpp"
#include "common/unique_fd.hpp"
#endif

namespace mxc::audit {

#ifndef _WIN32
namespace {

Result<UniqueFd> connect_datagram(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) return make_error("socket path too long");
    std::memcpy(addr.sun_path, path.data(), path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return make_error(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return make_error(std::strerror(errno));
    // A daemon that falls behind is waited for, briefly: dropping events
    // loses the audit trail, waiting long stalls the run (the proxy thread
    // writes net events while the sandbox waits on its connection).
    const timeval limit{0, 250000};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) != 0)
        return make_error(std::string("setsockopt: ") + std::strerror(errno));
    return fd;
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

class SyslogSink final : public Sink {
public:
    SyslogSink(UniqueFd fd, std::string path)
        : fd_(std::move(fd)), path_(std::move(path)), host_(host_name()) {}

    void write(const Identity& who, const Record& record) override {
        std::string message = format_rfc5424(who, record, host_, static_cast<long>(::getpid()));
        if (send(message)) return;
        if (errno == EMSGSIZE) {
            // A start event with a huge argv: keep the header and identity.
            message.resize(kTruncated);
            message += "...(truncated)";
            (void)send(message);
            return;
        }
        // The daemon restarted (its socket is new): connect once more.
        if (errno == ECONNREFUSED || errno == ENOTCONN) {
            if (auto again = connect_datagram(path_)) {
                fd_ = std::move(*again);
                (void)send(message);
            }
        }
    }

private:
    static constexpr std::size_t kTruncated = 8192;

    bool send(const std::string& message) {
        for (;;) {
            const ssize_t n = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
            if (n >= 0) return true;
            if (errno != EINTR) return false;
        }
    }

    UniqueFd fd_;
    std::string path_;
    std::string host_;
};

}  // namespace

Result<SinkPtr> open_syslog_sink(const std::string& socket_path, const std::string& what) {
    auto fd = connect_datagram(socket_path);
    if (!fd) {
        return make_error("cannot open " + what + ": connect to " + socket_path + ": " + fd.error().message +
                          " (is a syslog daemon running?)");
    }
    return SinkPtr(new SyslogSink(std::move(*fd), socket_path));
}

#else

Result<SinkPtr> open_syslog_sink(const std::string& /*socket_path*/, const std::string& what) {
    return make_error("cannot open " + what +
                      ": syslog is not available on Windows: use sink = \"eventlog\"");
}

#endif

}  // namespace mxc::audit
