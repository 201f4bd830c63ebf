#include "platform/windows/plan/win_path.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace mxc::platform::win {
namespace {

char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == '\\') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool is_reserved_device_name(std::string_view component) {
    // Win32 maps these to devices in every directory, with any extension.
    std::string base;
    for (char c : component) {
        if (c == '.') break;
        base.push_back(ascii_upper(c));
    }
    while (!base.empty() && base.back() == ' ') base.pop_back();
    static constexpr std::array<std::string_view, 6> kPlain = {"CON", "PRN",    "AUX",
                                                               "NUL", "CONIN$", "CONOUT$"};
    for (auto r : kPlain)
        if (base == r) return true;
    if (base.size() == 4 && (base.starts_with("COM") || base.starts_with("LPT")) && base[3] >= '0' &&
        base[3] <= '9')
        return true;
    return false;
}

bool looks_like_short_name(std::string_view c) {
    // 8.3 aliases: up to 6 chars, '~', digits; optional '.' + up to 3 chars.
    auto tilde = c.find('~');
    if (tilde == std::string_view::npos || tilde + 1 >= c.size()) return false;
    if (!std::isdigit(static_cast<unsigned char>(c[tilde + 1]))) return false;
    auto dot = c.find('.');
    std::string_view base = c.substr(0, dot);
    if (base.size() > 8) return false;
    if (dot != std::string_view::npos && c.size() - dot - 1 > 3) return false;
    return true;
}

// Offset just past "server\share" in "server\share\rest".
std::size_t after_share(std::string_view sv) {
    std::size_t i = 0;
    for (int part = 0; part < 2; ++part) {
        while (i < sv.size() && sv[i] == '\\') ++i;
        i = sv.find('\\', i);
        if (i == std::string_view::npos) return sv.size();
    }
    return i;
}

Error path_error(std::string_view path, const std::string& what) {
    return make_error("path '" + std::string(path) + "': " + what);
}

}  // namespace

Result<WinPath> to_extended_path(std::string_view path) {
    std::string s(path);
    for (char& c : s)
        if (c == '/') c = '\\';

    std::string root;  // "C:" or "UNC\server\share"
    std::string_view rest;
    std::string_view sv = s;
    if (sv.starts_with("\\\\?\\") || sv.starts_with("\\??\\")) {
        sv.remove_prefix(4);
        if (sv.size() >= 4 && fold_case(sv.substr(0, 4)) == "UNC\\") {
            sv.remove_prefix(4);
            auto parts = split(sv);
            if (parts.size() < 2) return path_error(path, "UNC path needs \\\\server\\share");
            root = "UNC\\" + parts[0] + "\\" + parts[1];
            rest = sv.substr(after_share(sv));
        } else if (sv.size() >= 2 && std::isalpha(static_cast<unsigned char>(sv[0])) && sv[1] == ':') {
            root = std::string(1, ascii_upper(sv[0])) + ":";
            rest = sv.substr(2);
        } else {
            return path_error(
                path,
                "only drive (\\\\?\\C:\\...) and UNC (\\\\?\\UNC\\...) extended paths are supported; "
                "volume GUID and device paths are not");
        }
    } else if (sv.starts_with("\\\\.\\")) {
        return path_error(path, "device namespace paths (\\\\.\\) cannot be granted");
    } else if (sv.starts_with("\\\\")) {
        sv.remove_prefix(2);
        auto parts = split(sv);
        if (parts.size() < 2) return path_error(path, "UNC path needs \\\\server\\share");
        root = "UNC\\" + parts[0] + "\\" + parts[1];
        rest = sv.substr(after_share(sv));
    } else if (sv.size() >= 3 && std::isalpha(static_cast<unsigned char>(sv[0])) && sv[1] == ':' &&
               sv[2] == '\\') {
        root = std::string(1, ascii_upper(sv[0])) + ":";
        rest = sv.substr(2);
    } else if (sv.size() >= 2 && std::isalpha(static_cast<unsigned char>(sv[0])) && sv[1] == ':') {
        return path_error(path, "drive-relative path (\"C:foo\"): write it as C:\\...");
    } else {
        return path_error(path, "not an absolute Windows path (expected C:\\... or \\\\server\\share\\...)");
    }
    if (root.starts_with("UNC\\")) {
        for (char c : root.substr(4))
            if (c == ':') return path_error(path, "':' in a UNC server or share name");
    }

    WinPath out;
    std::vector<std::string> comps;
    for (auto& c : split(rest)) {
        if (c == ".") continue;
        if (c == "..") {
            if (comps.empty()) return path_error(path, "'..' climbs above the root");
            comps.pop_back();
            continue;
        }
        if (c.find(':') != std::string::npos)
            return path_error(path,
                              "alternate data streams ('" + c +
                                  "') cannot be granted separately: grant the file or directory itself");
        for (char ch : c) {
            auto u = static_cast<unsigned char>(ch);
            if (u < 0x20 || ch == '<' || ch == '>' || ch == '"' || ch == '|' || ch == '?' || ch == '*')
                return path_error(path, "invalid character in '" + c + "'");
        }
        if (c.back() == '.' || c.back() == ' ')
            return path_error(path,
                              "component '" + c +
                                  "' ends in '.' or ' ', which Win32 strips: it would name a different file");
        if (is_reserved_device_name(c))
            return path_error(path, "'" + c + "' is a reserved device name on Windows");
        if (looks_like_short_name(c)) out.short_name_suspect = true;
        comps.push_back(c);
    }
    out.extended = "\\\\?\\" + root;
    if (comps.empty() && !root.starts_with("UNC\\")) out.extended += "\\";  // "\\?\C:\", never "\\?\C:"
    for (auto& c : comps) out.extended += "\\" + c;
    return out;
}

std::string fold_case(std::string_view path) {
    std::string out(path);
    for (char& c : out) c = ascii_upper(c);
    return out;
}

bool path_equal(std::string_view a, std::string_view b) {
    return fold_case(a) == fold_case(b);
}

bool path_within(std::string_view inner, std::string_view outer) {
    std::string i = fold_case(inner);
    std::string o = fold_case(outer);
    if (i == o) return true;
    if (!o.empty() && o.back() == '\\') return i.starts_with(o);  // drive root "\\?\C:\"
    return i.size() > o.size() && i.starts_with(o) && i[o.size()] == '\\';
}

}  // namespace mxc::platform::win
