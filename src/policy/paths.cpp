#include "policy/paths.hpp"

#include <vector>

namespace mxc::policy {
namespace {

constexpr const char* kKnownVariables = "known variables: {workspace}, {home}, {tmp}, {profile_dir}";

bool is_drive_path(std::string_view p) {
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    return p.size() >= 3 && alpha(p[0]) && p[1] == ':' && (p[2] == '/' || p[2] == '\\');
}

bool is_variable_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    }
    return true;
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// Value of one variable, or an error naming it.
Result<std::string> variable(std::string_view name, const PathVars& vars) {
    auto known = [&](const std::string& value, const char* what) -> Result<std::string> {
        if (value.empty()) {
            return make_error("{" + std::string(name) + "} is used but " + what +
                              " is not known here (pass it explicitly)");
        }
        return value;
    };
    if (name == "workspace") return known(vars.workspace, "the workspace");
    if (name == "home") return known(vars.home, "the home directory");
    if (name == "tmp") return known(vars.tmp, "the per-run temporary directory");
    if (name == "profile_dir") {
        if (!vars.profile_dir) {
            return make_error(
                "{profile_dir} has no value in a built-in profile (use an absolute path or another "
                "variable)");
        }
        return known(*vars.profile_dir, "the profile directory");
    }
    return make_error("unknown variable {" + std::string(name) + "} (" + kKnownVariables + ")");
}

// Appends `rest` ("/a/../b") to `base`, refusing a ".." that would climb out
// of `base`: "{workspace}/../x" must not silently mean the workspace's parent.
Result<std::string> join_below(const std::string& base, std::string_view rest, std::string_view text,
                               std::string_view var_name) {
    int depth = 0;
    std::size_t i = 0;
    while (i < rest.size()) {
        std::size_t j = rest.find('/', i);
        if (j == std::string_view::npos) j = rest.size();
        std::string_view part = rest.substr(i, j - i);
        if (part == "..") {
            if (depth == 0) {
                return make_error("path " + quoted(text) + " climbs out of {" + std::string(var_name) + "}" +
                                  " with \"..\" (write the target as an absolute path instead)");
            }
            --depth;
        } else if (!part.empty() && part != ".") {
            ++depth;
        }
        i = j + 1;
    }
    return normalize_path(base + "/" + std::string(rest));
}

// "/" or "/a/b" without an empty, "." or ".." component: what
// normalize_path would return unchanged (most rule paths, once expanded).
bool is_normal(std::string_view p) {
    if (p.empty() || p[0] != '/') return false;
    if (p.size() == 1) return true;
    if (p.back() == '/') return false;
    std::size_t i = 1;
    while (i <= p.size()) {
        std::size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        const std::string_view part = p.substr(i, j - i);
        if (part.empty() || part == "." || part == "..") return false;
        i = j + 1;
    }
    return true;
}

}  // namespace

bool is_absolute_path(std::string_view path) {
    return (!path.empty() && path[0] == '/') || is_drive_path(path);
}

std::string normalize_path(std::string_view path) {
    if (is_normal(path)) return std::string(path);
    std::string root = "/";
    std::string body(path);
    if (is_drive_path(path)) {
        root = std::string(path.substr(0, 2)) + "/";
        body = std::string(path.substr(3));
        for (char& c : body) {
            if (c == '\\') c = '/';
        }
    }
    std::vector<std::string_view> parts;
    std::string_view rest = body;
    std::size_t i = 0;
    while (i <= rest.size()) {
        std::size_t j = rest.find('/', i);
        if (j == std::string_view::npos) j = rest.size();
        std::string_view part = rest.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out = root;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k > 0) out += '/';
        out += parts[k];
    }
    return out;
}

Result<std::string> expand_path(std::string_view text, const PathVars& vars) {
    if (text.empty()) return make_error("empty path (remove the entry or write a path)");
    if (text.find('\0') != std::string_view::npos) return make_error("path contains a NUL byte");

    std::string_view var;
    std::string_view rest;
    if (text[0] == '~') {
        if (text.size() > 1 && text[1] != '/') {
            return make_error("path " + quoted(text) +
                              ": only a bare \"~\" is supported, not ~user (write the absolute path)");
        }
        var = "home";
        rest = text.substr(1);
    } else if (text[0] == '{') {
        std::size_t close = text.find('}');
        if (close == std::string_view::npos) {
            return make_error("path " + quoted(text) + " has an unterminated variable (" + kKnownVariables +
                              ")");
        }
        var = text.substr(1, close - 1);
        rest = text.substr(close + 1);
        if (!rest.empty() && rest[0] != '/') {
            return make_error("path " + quoted(text) + ": a variable must be followed by \"/\" (write {" +
                              std::string(var) + "}/" + std::string(rest) + ")");
        }
    } else if (is_absolute_path(text)) {
        if (text.find_first_of("{}") != std::string_view::npos) {
            return make_error("path " + quoted(text) + ": a variable may only start a path (" +
                              kKnownVariables + ")");
        }
        return normalize_path(text);
    } else {
        return make_error("relative path " + quoted(text) +
                          " (start it with {workspace}/, {profile_dir}/, ~/ or /)");
    }

    if (rest.find_first_of("{}") != std::string_view::npos) {
        return make_error("path " + quoted(text) + ": a variable may only start a path (" + kKnownVariables +
                          ")");
    }
    auto base = variable(var, vars);
    if (!base) return base.error();
    return join_below(normalize_path(*base), rest, text, var);
}

Result<std::string> expand_cli_path(std::string_view text, const PathVars& vars, const std::string& cwd) {
    if (!text.empty() && text[0] != '~' && text[0] != '{' && !is_absolute_path(text)) {
        return normalize_path(cwd + "/" + std::string(text));
    }
    return expand_path(text, vars);
}

Result<std::string> expand_text(std::string_view text, const PathVars& vars) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t open = text.find('{', i);
        if (open == std::string_view::npos) break;
        std::size_t close = text.find('}', open);
        if (close == std::string_view::npos) break;
        std::string_view name = text.substr(open + 1, close - open - 1);
        out.append(text.substr(i, open - i));
        if (is_variable_name(name)) {
            auto value = variable(name, vars);
            if (!value) return value.error();
            out += *value;
        } else {
            out.append(text.substr(open, close - open + 1));
        }
        i = close + 1;
    }
    out.append(text.substr(std::min(i, text.size())));
    return out;
}

bool is_under(std::string_view path, std::string_view dir) {
    if (dir == "/") return path.size() > 1 && path[0] == '/';
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

bool is_same_or_under(std::string_view path, std::string_view dir) {
    return path == dir || is_under(path, dir);
}

}  // namespace mxc::policy
