#include "platform/windows/plan/command_line.hpp"

namespace mxc::platform::win {

std::string quote_argument(const std::string& arg) {
    if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) return arg;
    std::string out = "\"";
    std::size_t backslashes = 0;
    for (char c : arg) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        if (c == '"') {
            out.append(backslashes * 2 + 1, '\\');
        } else {
            out.append(backslashes, '\\');
        }
        backslashes = 0;
        out.push_back(c);
    }
    // Before the closing quote every backslash must be doubled, or the last
    // one would escape it.
    out.append(backslashes * 2, '\\');
    out.push_back('"');
    return out;
}

std::string build_command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        if (i) out.push_back(' ');
        out += quote_argument(argv[i]);
    }
    return out;
}

std::vector<std::string> split_command_line(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (true) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i >= n) break;
        std::string arg;
        bool in_quotes = false;
        while (i < n) {
            char c = s[i];
            if (!in_quotes && (c == ' ' || c == '\t')) break;
            if (c == '\\') {
                std::size_t count = 0;
                while (i < n && s[i] == '\\') {
                    ++count;
                    ++i;
                }
                if (i < n && s[i] == '"') {
                    arg.append(count / 2, '\\');
                    if (count % 2) {
                        arg.push_back('"');
                        ++i;
                    }
                } else {
                    arg.append(count, '\\');
                }
                continue;
            }
            if (c == '"') {
                // A doubled quote inside quotes is a literal quote (post-2008 CRT).
                if (in_quotes && i + 1 < n && s[i + 1] == '"') {
                    arg.push_back('"');
                    i += 2;
                    continue;
                }
                in_quotes = !in_quotes;
                ++i;
                continue;
            }
            arg.push_back(c);
            ++i;
        }
        out.push_back(std::move(arg));
    }
    return out;
}

namespace batch_detail {

std::string last_component(const std::string& path) {
    auto slash = path.find_last_of("\\/");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool iequals_suffix(const std::string& s, const std::string& suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i) {
        char a = s[s.size() - suffix.size() + i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (a != suffix[i]) return false;
    }
    return true;
}

}  // namespace batch_detail

using batch_detail::iequals_suffix;
using batch_detail::last_component;

std::string effective_file_name(const std::string& path) {
    std::string name = last_component(path);
    // Repeatedly: "t.bat::$DATA. " and "t.bat. ::$DATA" both reach t.bat.
    for (bool changed = true; changed;) {
        changed = false;
        while (!name.empty() && (name.back() == '.' || name.back() == ' ')) {
            name.pop_back();
            changed = true;
        }
        if (iequals_suffix(name, "::$data")) {
            name.resize(name.size() - 7);
            changed = true;
        }
    }
    return name;
}

bool is_batch_script(const std::string& path) {
    std::string name = effective_file_name(path);
    return iequals_suffix(name, ".bat") || iequals_suffix(name, ".cmd");
}

bool names_stream(const std::string& path) {
    std::string name = effective_file_name(path);
    // "C:x" (no separator at all): the colon is the drive's.
    if (path.find_first_of("\\/") == std::string::npos && name.size() >= 2 && name[1] == ':')
        name = name.substr(2);
    return name.find(':') != std::string::npos;
}

}  // namespace mxc::platform::win
