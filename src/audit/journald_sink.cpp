#include "audit/journald_sink.hpp"

#if defined(__linux__)
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "audit/journald_fields.hpp"
#endif

namespace mxc::audit {

#if defined(__linux__)
namespace {

// libsystemd is dlopen()ed when a journald sink is opened, not linked: most
// runs write no journal, and linking would load it (and the libraries it
// pulls in: liblzma, libzstd, liblz4, libcap, libgcrypt) on every mxc start,
// which issue 14 measures against bubblewrap. Filled once, never unloaded.
using SendvFn = int (*)(const struct iovec*, int);

SendvFn journal_sendv() {
    static const SendvFn fn = []() -> SendvFn {
        void* handle = ::dlopen(MXC_LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) return nullptr;
        return reinterpret_cast<SendvFn>(::dlsym(handle, "sd_journal_sendv"));
    }();
    return fn;
}

class JournaldSink final : public Sink {
public:
    explicit JournaldSink(SendvFn sendv) : sendv_(sendv) {}

    void write(const Identity& who, const Record& record) override {
        const std::vector<std::string> fields = journald_fields(who, record);
        std::vector<iovec> iov;
        iov.reserve(fields.size());
        for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
        (void)sendv_(iov.data(), static_cast<int>(iov.size()));
    }

private:
    SendvFn sendv_;
};

}  // namespace

Result<SinkPtr> open_journald_sink(const std::string& what) {
    struct stat st {};
    if (::stat(kJournalSocket, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return make_error("cannot open " + what + ": this host runs no systemd journal (" +
                          std::string(kJournalSocket) + " is missing): use sink = \"syslog\" or \"file\"");
    }
    SendvFn sendv = journal_sendv();
    if (sendv == nullptr) {
        return make_error("cannot open " + what + ": cannot load " + std::string(MXC_LIBSYSTEMD_SONAME) +
                          " (install libsystemd0)");
    }
    return SinkPtr(new JournaldSink(sendv));
}

#else

Result<SinkPtr> open_journald_sink(const std::string& what) {
    return make_error("cannot open " + what + ": the systemd journal exists only on Linux");
}

#endif

}  // namespace mxc::audit
