#include "audit/journald_fields.hpp"

namespace mxc::audit {

std::vector<std::string> journald_fields(const Identity& who, const Record& record) {
    std::string message = "mxc ";
    message += record.event;
    message += " session ";
    message += who.session;
    if (!who.agent.empty()) message += " agent " + who.agent;
    message += " user " + who.user;

    std::vector<std::string> fields;
    auto add = [&](const char* name, std::string_view value) {
        std::string f(name);
        f += '=';
        f += value;
        fields.push_back(std::move(f));
    };
    add("MESSAGE", message);
    add("PRIORITY", std::to_string(static_cast<int>(record.severity)));
    add("SYSLOG_IDENTIFIER", "mxc");
    add("MXC_EVENT", record.event);
    add("MXC_SESSION", who.session);
    add("MXC_AGENT", who.agent);
    add("MXC_USER", who.user);
    if (who.uid >= 0) add("MXC_UID", std::to_string(who.uid));
    add("MXC_PROFILE", who.profile);
    add("MXC_PROFILE_SHA256", who.profile_sha256);
    add("MXC_JSON", record.json);
    return fields;
}

}  // namespace mxc::audit
