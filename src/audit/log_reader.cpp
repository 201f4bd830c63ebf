#include "audit/log_reader.hpp"

#include <nlohmann/json.hpp>

namespace mxc::audit {
namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// nlohmann rejects lone surrogates, which json::quote uses for invalid UTF-8
// bytes; rewrite them as the escaped text "\xNN" before parsing.
std::string rewrite_lone_surrogates(const std::string& line) {
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
            if (line[i + 1] == 'u' && i + 5 < line.size() && (line[i + 2] == 'd' || line[i + 2] == 'D') &&
                (line[i + 3] == 'c' || line[i + 3] == 'C') && is_hex(line[i + 4]) && is_hex(line[i + 5]) &&
                line[i + 4] >= '8') {
                out += "\\\\x";
                out += line[i + 4];
                out += line[i + 5];
                i += 5;
                continue;
            }
            out += line[i];
            out += line[i + 1];  // keep any other escape (incl. "\\") intact
            ++i;
            continue;
        }
        out += line[i];
    }
    return out;
}

std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <class T>
T num(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<T>() : T{};
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace

Result<ParsedLine> parse_line(const std::string& line) {
    nlohmann::json j = nlohmann::json::parse(rewrite_lone_surrogates(line), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return make_error("not a JSON object");
    ParsedLine p;
    p.ts = str(j, "ts");
    p.session = str(j, "session");
    p.agent = str(j, "agent");
    p.event = str(j, "event");
    if (p.session.empty() || p.event.empty()) return make_error("missing \"session\" or \"event\"");
    if (p.event == "start") {
        p.start = StartEvent{str(j, "profile"),      str(j, "profile_sha256"), strings(j, "argv"),
                             str(j, "cwd"),          str(j, "user"),           str(j, "platform"),
                             strings(j, "enforced"), strings(j, "warnings")};
    } else if (p.event == "net") {
        p.net = NetEvent{str(j, "decision") == "allow",
                         str(j, "host"),
                         num<std::uint16_t>(j, "port"),
                         str(j, "proto"),
                         str(j, "rule"),
                         num<std::uint64_t>(j, "bytes_up"),
                         num<std::uint64_t>(j, "bytes_down"),
                         j.contains("via") ? str(j, "via") : std::string("proxy"),
                         str(j, "error"),
                         str(j, "reason")};
    } else if (p.event == "exit") {
        p.exit = ExitEvent{num<int>(j, "status"),
                           num<int>(j, "signal"),
                           str(j, "reason"),
                           num<std::uint64_t>(j, "wall_ms"),
                           num<std::uint64_t>(j, "cpu_ms"),
                           num<std::uint64_t>(j, "max_rss_kb")};
    } else if (p.event == "tamper") {
        p.tamper = TamperEvent{str(j, "path"), str(j, "what"), str(j, "action")};
    }
    return p;
}

Status LogReader::add_line(const std::string& line) {
    ++line_no_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) return {};
    auto parsed = parse_line(line);
    if (!parsed) return make_error("line " + std::to_string(line_no_) + ": " + parsed.error().message);
    auto [it, fresh] = index_.try_emplace(parsed->session, sessions_.size());
    if (fresh) sessions_.push_back(SessionRecord{parsed->session, parsed->agent, {}, {}, {}, {}, {}});
    SessionRecord& s = sessions_[it->second];
    if (parsed->start) {
        s.start = std::move(parsed->start);
        s.started_at = parsed->ts;
    }
    if (parsed->net) s.net.push_back(std::move(*parsed->net));
    if (parsed->exit) s.exit = std::move(parsed->exit);
    if (parsed->tamper) s.tamper.push_back(std::move(*parsed->tamper));
    return {};
}

}  // namespace mxc::audit
