#include "audit/journald_fields.hpp"

#include <cctype>

namespace mxc::audit {

std::vector<std::string> journald_fields(const Identity& who, const Record& record) {
    std::string message = "mxc ";
    message += record.event;
    message += " session ";
    message += who.session;
    if (!who.agent.empty()) message += " agent " + who.agent;
    message += " user " + who.user;

    std::vector<std::string> fields;
    auto add = [&](std::string_view name, std::string_view value) {
        std::string f(name);
        f += '=';
        f += value;
        fields.push_back(std::move(f));
    };
    add("MESSAGE", message);
    add("PRIORITY", std::to_string(static_cast<int>(record.severity)));
    add("SYSLOG_IDENTIFIER", "mxc");
    add("MXC_EVENT", record.event);
    for_each_identity_field(who, [&](std::string_view name, std::string_view value) {
        std::string field = "MXC_";
        for (char c : name) field += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        add(field, value);
    });
    add("MXC_JSON", record.json);
    return fields;
}

}  // namespace mxc::audit
