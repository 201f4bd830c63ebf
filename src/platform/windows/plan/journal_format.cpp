#include "platform/windows/plan/journal_format.hpp"

#include <cstdlib>

#include "platform/windows/plan/win_path.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {
// Named, not anonymous: the plan library is a unity build under mingw.
namespace journal_detail {

constexpr std::string_view kHeaderTag = "mxc-journal 1";

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

bool is_hex_lower(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 10) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Pairs of letters from `allowed`, each at most once.
bool letter_pairs(std::string_view s, std::initializer_list<std::string_view> allowed) {
    if (s.size() % 2 != 0) return false;
    std::string seen;
    for (std::size_t i = 0; i < s.size(); i += 2) {
        auto pair = s.substr(i, 2);
        bool ok = false;
        for (auto a : allowed) ok = ok || a == pair;
        if (!ok || seen.find(pair) != std::string::npos) return false;
        seen += pair;
        seen += '|';
    }
    return true;
}

bool medium_or_above(std::string_view level) {
    if (level == "ME" || level == "MP" || level == "HI" || level == "SI") return true;
    if (level.substr(0, 7) != "S-1-16-" || !all_digits(level.substr(7))) return false;
    return std::strtoul(std::string(level.substr(7)).c_str(), nullptr, 10) >= 0x2000;
}

// "(ML;flags;rights;;;level)"
bool label_ace(std::string_view ace) {
    auto f = split(ace, ';');
    return f.size() == 6 && f[0] == "ML" && letter_pairs(f[1], {"OI", "CI", "NP", "IO", "ID"}) &&
           !f[2].empty() && letter_pairs(f[2], {"NW", "NR", "NX"}) && f[3].empty() && f[4].empty() &&
           medium_or_above(f[5]);
}

bool canonical_path(std::string_view p) {
    auto ext = to_extended_path(p);
    return ext && ext->extended == p;
}

Result<JournalEntry> parse_line(std::string_view line, const JournalExpectations& expect,
                                const std::string& tmp_dir) {
    auto f = split(line, '\t');
    JournalEntry e;
    if (f[0] == "ace" && f.size() == 2) {
        e.op = JournalOp::Ace;
    } else if (f[0] == "ace-link" && f.size() == 2) {
        e.op = JournalOp::AceOnLink;
    } else if (f[0] == "label" && f.size() == 3) {
        e.op = JournalOp::Label;
        if (!valid_label_sddl(f[2]))
            return make_error("label not in the form mxc records: " + std::string(f[2]));
        e.label = std::string(f[2]);
    } else if (f[0] == "dir" && f.size() == 2) {
        e.op = JournalOp::Dir;
        if (!path_equal(f[1], tmp_dir))
            return make_error("dir " + std::string(f[1]) + " is not this run's {tmp} (" + tmp_dir + ")");
    } else if (f[0] == "appcontainer" && f.size() == 2) {
        e.op = JournalOp::AppContainer;
        if (!valid_container_name_for(f[1], expect.run_id))
            return make_error("AppContainer " + std::string(f[1]) + " is not this run's");
        e.target = std::string(f[1]);
        return e;
    } else {
        return make_error("unrecognised line");
    }
    if (!canonical_path(f[1])) return make_error("not a canonical \\\\?\\ path: " + std::string(f[1]));
    e.target = std::string(f[1]);
    return e;
}

}  // namespace journal_detail

bool valid_run_id(std::string_view id) {
    if (id.size() < 16 || id.size() > 64) return false;
    for (char c : id)
        if (!journal_detail::is_hex_lower(c)) return false;
    return true;
}

bool valid_label_sddl(std::string_view sddl) {
    if (sddl.empty()) return true;
    if (sddl.substr(0, 2) != "S:") return false;
    std::string_view rest = sddl.substr(2);
    // SACL control flags before the first ACE.
    while (!rest.empty() && rest[0] != '(') {
        if (rest.substr(0, 2) == "AI" || rest.substr(0, 2) == "AR") {
            rest.remove_prefix(2);
        } else if (rest[0] == 'P') {
            rest.remove_prefix(1);
        } else {
            return false;
        }
    }
    if (rest.empty()) return false;
    while (!rest.empty()) {
        if (rest[0] != '(') return false;
        auto close = rest.find(')');
        if (close == std::string_view::npos) return false;
        if (!journal_detail::label_ace(rest.substr(1, close - 1))) return false;
        rest.remove_prefix(close + 1);
    }
    return true;
}

Result<std::string> journal_tmp_dir(std::string_view temp_root, std::string_view run_id) {
    std::string root(temp_root);
    while (!root.empty() && (root.back() == '\\' || root.back() == '/')) root.pop_back();
    auto p = to_extended_path(root + "\\mxc-" + std::string(run_id));
    if (!p) return p.error();
    return p->extended;
}

std::string per_run_container_name(std::string_view base, std::string_view run_id) {
    // AppContainer names are limited to 64 characters: "mxc." + 16 + "." + 32.
    return std::string(base) + "." + std::string(run_id.substr(0, 32));
}

bool valid_container_name_for(std::string_view name, std::string_view run_id) {
    // "mxc." + 16 lowercase hex + "." + the run id's first 32 characters.
    if (name.size() < 21 || name.substr(0, 4) != "mxc." || name[20] != '.') return false;
    for (char c : name.substr(4, 16))
        if (!journal_detail::is_hex_lower(c)) return false;
    return name.substr(21) == run_id.substr(0, 32);
}

std::string journal_header(std::string_view run_sid) {
    return std::string(journal_detail::kHeaderTag) + "\t" + std::string(run_sid);
}

Result<std::vector<JournalEntry>> parse_journal(std::string_view text, const JournalExpectations& expect) {
    if (!valid_run_id(expect.run_id)) return make_error("journal name is not a run id: " + expect.run_id);
    if (text.size() > kJournalMaxBytes)
        return make_error("journal larger than " + std::to_string(kJournalMaxBytes) + " bytes");
    if (text.find('\0') != std::string_view::npos) return make_error("journal contains a NUL byte");
    auto tmp = journal_tmp_dir(expect.temp_root, expect.run_id);
    if (!tmp) return make_error("the temp directory: " + tmp.error().message);

    std::vector<std::string_view> lines;
    for (auto line : journal_detail::split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) lines.push_back(line);
    }
    if (lines.empty()) return std::vector<JournalEntry>{};  // crashed before the header was flushed
    if (lines[0] != journal_header(run_capability_sid(expect.run_id)))
        return make_error("header is not this run's (" + journal_header(run_capability_sid(expect.run_id)) +
                          ")");
    std::vector<JournalEntry> out;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto e = journal_detail::parse_line(lines[i], expect, *tmp);
        if (!e) return make_error("line " + std::to_string(i + 1) + ": " + e.error().message);
        out.push_back(std::move(*e));
    }
    return out;
}

}  // namespace mxc::platform::win
