#include "cli/managed_describe.hpp"

#include <cstdio>
#include <vector>

#include "common/json.hpp"

namespace mxc::cli {
namespace {

std::string origin_text(const policy::Origin& o) {
    return o.file.empty() && o.flag.empty() ? "not set" : o.describe();
}

std::string padded(const std::string& s, std::size_t width) {
    return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string describe_managed(const policy::ManagedSummary& m) {
    std::string out = "[managed] " + m.path + " (sha256 " + m.sha256 + ")\n";
    for (const auto& [rule, origin] : m.rules) out += "  " + padded(rule, 48) + origin.describe() + "\n";
    if (m.changes.empty()) {
        out += "  the managed policy changed nothing in this profile\n";
        return out;
    }
    out += "  changed by the managed policy:\n";
    for (const auto& c : m.changes) {
        out +=
            "    " + c.rule + " (" + origin_text(c.origin) + ") " + c.action + " (" + c.by.describe() + ")\n";
    }
    return out;
}

std::string managed_json(const policy::ManagedSummary& m) {
    std::vector<std::string> rules;
    rules.reserve(m.rules.size());
    for (const auto& [rule, origin] : m.rules)
        rules.push_back(json::Object{}.field("rule", rule).field("origin", origin.describe()).str());
    std::vector<std::string> changes;
    changes.reserve(m.changes.size());
    for (const auto& c : m.changes) {
        changes.push_back(json::Object{}
                              .field("rule", c.rule)
                              .field("origin", origin_text(c.origin))
                              .field("action", c.action)
                              .field("by", c.by.describe())
                              .str());
    }
    return json::Object{}
        .field("path", m.path)
        .field("sha256", m.sha256)
        .raw("rules", json::array(rules))
        .raw("changes", json::array(changes))
        .str();
}

}  // namespace mxc::cli
