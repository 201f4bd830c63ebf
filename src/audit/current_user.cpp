#include "audit/sink.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <pwd.h>
#include <unistd.h>

#include <vector>
#endif

namespace mxc::audit {

void fill_current_user(Identity& who) {
#ifdef _WIN32
    char name[256 + 1] = {};
    DWORD size = sizeof name;
    if (GetUserNameA(name, &size)) who.user = name;
    who.uid = -1;
#else
    // The real uid: who started mxc, which is whom the audit must name.
    const uid_t uid = ::getuid();
    who.uid = static_cast<std::int64_t>(uid);
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
        who.user = found->pw_name;
    } else {
        who.user = std::to_string(uid);  // no passwd entry (containers): the number is still an answer
    }
#endif
}

}  // namespace mxc::audit
