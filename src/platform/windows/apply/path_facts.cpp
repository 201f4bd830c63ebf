#include "platform/windows/apply/path_facts.hpp"

#include "platform/windows/apply/acl_journal.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/win_path.hpp"

namespace mxc::platform::win {
namespace path_facts_detail {

// Where the components start: after "\\?\C:\" or "\\?\UNC\server\share\".
std::size_t root_length(const std::string& p) {
    if (p.rfind("\\\\?\\UNC\\", 0) == 0) {
        std::size_t server_end = p.find('\\', 8);
        if (server_end == std::string::npos) return p.size();
        std::size_t share_end = p.find('\\', server_end + 1);
        return share_end == std::string::npos ? p.size() : share_end + 1;
    }
    return std::min<std::size_t>(p.size(), 7);  // \\?\C:\ .
}

// A link that redirects the path: symlinks, junctions and mount points are
// name surrogates; cloud placeholders and dedup files are not. A reparse
// point whose tag cannot be read counts as a link.
bool is_link(const std::wstring& path) {
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW(path.c_str(), &fd);
    if (find == INVALID_HANDLE_VALUE) {
        DWORD attrs = GetFileAttributesW(path.c_str());
        return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT);
    }
    FindClose(find);
    if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) return false;
    return fd.dwReserved0 == 0 || IsReparseTagNameSurrogate(fd.dwReserved0);
}

std::string final_path_of(const std::wstring& path) {
    UniqueHandle h(CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (!h.valid()) return {};
    std::wstring buf(32768, L'\0');
    DWORD n = GetFinalPathNameByHandleW(h.get(), buf.data(), static_cast<DWORD>(buf.size()),
                                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    return (n == 0 || n >= buf.size()) ? std::string() : narrow(buf.substr(0, n));
}

std::string parent_dir(const std::wstring& file) {
    auto slash = file.find_last_of(L'\\');
    return slash == std::wstring::npos ? std::string() : narrow(file.substr(0, slash));
}

}  // namespace path_facts_detail

std::string first_link_on(const std::string& extended_path) {
    std::size_t pos = path_facts_detail::root_length(extended_path);
    while (pos < extended_path.size()) {
        std::size_t next = extended_path.find('\\', pos);
        if (next == std::string::npos) next = extended_path.size();
        std::string prefix = extended_path.substr(0, next);
        std::wstring wide = widen(prefix);
        if (GetFileAttributesW(wide.c_str()) == INVALID_FILE_ATTRIBUTES) return {};  // missing from here on
        if (path_facts_detail::is_link(wide)) return prefix;
        pos = next + 1;
    }
    return {};
}

void probe_path_facts(const policy::ResolvedPolicy& policy, WindowsHostFacts& facts) {
    for (const auto& r : policy.paths) {
        auto p = to_extended_path(r.path);
        if (!p) continue;  // the compiler reports it
        std::string link = first_link_on(p->extended);
        if (link.empty()) continue;
        facts.path_facts.push_back(
            PathFact{p->extended, link, path_facts_detail::final_path_of(widen(link))});
    }
    facts.temp_dir = narrow(AclJournal::temp_root());
    auto add_private = [&](const std::string& dir) {
        if (auto p = to_extended_path(dir)) facts.private_dirs.push_back(p->extended);
    };
    std::wstring journal = AclJournal::default_dir();
    add_private(narrow(journal.substr(0, journal.find_last_of(L'\\'))));  // %LOCALAPPDATA%\mxc
    std::wstring exe(32768, L'\0');
    DWORD n = GetModuleFileNameW(nullptr, exe.data(), static_cast<DWORD>(exe.size()));
    if (n > 0 && n < exe.size()) add_private(path_facts_detail::parent_dir(exe.substr(0, n)));
}

}  // namespace mxc::platform::win
