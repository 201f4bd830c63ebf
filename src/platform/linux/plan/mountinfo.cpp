#include "platform/linux/plan/mountinfo.hpp"

#include <algorithm>
#include <cctype>

namespace mxc::lnx {
namespace {

std::string decode_octal(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(s[i + 1]) != 0 && std::isdigit(s[i + 2]) != 0 &&
            std::isdigit(s[i + 3]) != 0) {
            out.push_back(
                static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::vector<HostMount> parse_mountinfo(const std::string& text) {
    std::vector<HostMount> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        // id parent major:minor root mount-point options [optional...] - type source super-options
        std::vector<std::string> fields;
        std::size_t f = 0;
        while (f < line.size()) {
            std::size_t sp = line.find(' ', f);
            if (sp == std::string::npos) sp = line.size();
            fields.push_back(line.substr(f, sp - f));
            f = sp + 1;
        }
        if (fields.size() < 7) continue;
        auto dash = std::find(fields.begin() + 6, fields.end(), "-");
        if (dash == fields.end() || dash + 1 == fields.end()) continue;
        out.push_back(HostMount{decode_octal(fields[4]), *(dash + 1)});
    }
    return out;
}

}  // namespace mxc::lnx
