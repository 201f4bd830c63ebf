#include "platform/windows/apply/acl_journal.hpp"

#include <shlobj.h>

#include <filesystem>
#include <mutex>
#include <sstream>

#include "platform/windows/apply/acl_grant.hpp"
#include "platform/windows/plan/win_path.hpp"

namespace mxc::platform::win {
namespace {

constexpr const char* kHeader = "mxc-journal 1";

// restore() runs on the main thread at exit and on the console-control thread
// when the console closes; the first one does the work.
std::mutex g_restore_mutex;

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == '\t') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

std::string read_all(HANDLE h) {
    std::string data;
    char buf[4096];
    DWORD n = 0;
    while (ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0) data.append(buf, n);
    return data;
}

std::vector<std::string> lines_of(const std::string& data) {
    std::vector<std::string> out;
    std::istringstream in(data);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

// Undo journal entries (header first, then entries) in reverse order.
// `live_labels` lists paths another live run has lowered: leave those Low.
std::vector<std::string> undo(const std::vector<std::string>& lines,
                              const std::vector<std::string>& live_labels) {
    std::vector<std::string> errors;
    if (lines.empty()) return errors;
    auto head = split_tabs(lines[0]);
    if (head.size() < 2 || head[0] != kHeader) {
        errors.push_back("unrecognised journal header: " + lines[0]);
        return errors;
    }
    auto sid = sid_from_string(head[1]);
    if (!sid) {
        errors.push_back(sid.error().message);
        return errors;
    }
    for (auto it = lines.rbegin(); it != lines.rend() - 1; ++it) {
        auto f = split_tabs(*it);
        Status st;
        if (f[0] == "ace" && f.size() >= 2) {
            st = remove_aces_for(widen(f[1]), sid->get());
        } else if (f[0] == "label" && f.size() >= 3) {
            bool shared = false;
            for (const auto& p : live_labels) shared = shared || path_equal(p, f[1]);
            if (!shared) st = set_label(widen(f[1]), f[2]);
        } else if (f[0] == "dir" && f.size() >= 2) {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::path(widen(f[1])), ec);
            if (ec) st = make_error("removing " + f[1] + ": " + ec.message());
        } else {
            st = make_error("unrecognised journal line: " + *it);
        }
        if (!st) errors.push_back(st.error().message);
    }
    return errors;
}

// Every label entry of journals whose owner is alive (other than `self`).
std::vector<std::pair<std::string, std::string>> live_label_entries(const std::wstring& dir,
                                                                    const std::wstring& self) {
    std::vector<std::pair<std::string, std::string>> out;
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW((dir + L"\\*.journal").c_str(), &fd);
    if (find == INVALID_HANDLE_VALUE) return out;
    do {
        std::wstring path = dir + L"\\" + fd.cFileName;
        if (CompareStringOrdinal(path.c_str(), -1, self.c_str(), -1, TRUE) == CSTR_EQUAL) continue;
        // A live owner holds write access: reading needs FILE_SHARE_WRITE.
        UniqueHandle h(CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                   OPEN_EXISTING, 0, nullptr));
        if (!h.valid()) continue;
        for (const auto& line : lines_of(read_all(h.get()))) {
            auto f = split_tabs(line);
            if (f[0] == "label" && f.size() >= 3) out.emplace_back(f[1], f[2]);
        }
    } while (FindNextFileW(find, &fd));
    FindClose(find);
    return out;
}

}  // namespace

std::wstring AclJournal::default_dir() {
    wchar_t* base = nullptr;
    std::wstring dir;
    if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_LocalAppData, 0, nullptr, &base)) && base) dir = base;
    CoTaskMemFree(base);
    if (dir.empty()) {
        wchar_t buf[MAX_PATH];
        DWORD n = GetEnvironmentVariableW(L"LOCALAPPDATA", buf, MAX_PATH);
        if (n > 0 && n < MAX_PATH) dir = buf;
    }
    return dir + L"\\mxc\\journal";
}

Result<AclJournal> AclJournal::create(const std::wstring& dir, const std::string& run_id,
                                      const std::string& run_sid) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(dir), ec);
    if (ec) return make_error("creating the ACL journal directory " + narrow(dir) + ": " + ec.message());
    AclJournal j;
    j.dir_ = dir;
    j.path_ = dir + L"\\" + widen(run_id) + L".journal";
    j.run_sid_ = run_sid;
    // Share read only: see the liveness note in the header.
    j.file_.reset(CreateFileW(j.path_.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_NEW,
                              FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!j.file_.valid()) return win_error("creating the ACL journal " + narrow(j.path_));
    MXC_TRY(j.append(std::string(kHeader) + "\t" + run_sid));
    return j;
}

AclJournal::~AclJournal() {
    if (file_.valid() && !restored_) restore();
}

Status AclJournal::append(const std::string& line) {
    std::string data = line + "\n";
    DWORD written = 0;
    if (!WriteFile(file_.get(), data.data(), static_cast<DWORD>(data.size()), &written, nullptr) ||
        written != data.size())
        return win_error("writing the ACL journal " + narrow(path_));
    // On disk before the change it describes is made.
    if (!FlushFileBuffers(file_.get())) return win_error("flushing the ACL journal " + narrow(path_));
    entries_.push_back(line);
    return {};
}

Status AclJournal::record_ace(const std::wstring& path) {
    return append("ace\t" + narrow(path));
}
Status AclJournal::record_label(const std::wstring& path, const std::string& original_sddl) {
    return append("label\t" + narrow(path) + "\t" + original_sddl);
}
Status AclJournal::record_dir(const std::wstring& path) {
    return append("dir\t" + narrow(path));
}

Result<std::string> AclJournal::original_label_for(const std::wstring& path) const {
    std::string p = narrow(path);
    for (const auto& [other, original] : live_label_entries(dir_, path_))
        if (path_equal(other, p)) return original;
    return read_label(path);
}

std::vector<std::string> AclJournal::restore() {
    std::lock_guard<std::mutex> lock(g_restore_mutex);
    if (restored_) return {};
    restored_ = true;
    std::vector<std::string> live;
    for (const auto& e : live_label_entries(dir_, path_)) live.push_back(e.first);
    auto errors = undo(entries_, live);
    file_.reset();
    // Keep a journal whose undo failed: the next start tries again.
    if (errors.empty()) DeleteFileW(path_.c_str());
    return errors;
}

ReplayReport replay_stale_journals(const std::wstring& dir) {
    ReplayReport report;
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW((dir + L"\\*.journal").c_str(), &fd);
    if (find == INVALID_HANDLE_VALUE) return report;
    std::vector<std::wstring> stale;
    do {
        std::wstring path = dir + L"\\" + fd.cFileName;
        // DELETE without FILE_SHARE_WRITE: fails with a sharing violation
        // exactly when the owner still has it open, i.e. is alive.
        UniqueHandle h(CreateFileW(path.c_str(), GENERIC_READ | DELETE, FILE_SHARE_READ, nullptr,
                                   OPEN_EXISTING, 0, nullptr));
        if (h.valid()) stale.push_back(path);
    } while (FindNextFileW(find, &fd));
    FindClose(find);

    for (const auto& path : stale) {
        UniqueHandle h(CreateFileW(path.c_str(), GENERIC_READ | DELETE, FILE_SHARE_READ, nullptr,
                                   OPEN_EXISTING, 0, nullptr));
        if (!h.valid()) continue;  // another mxc is replaying it right now
        auto lines = lines_of(read_all(h.get()));
        std::vector<std::string> live;
        for (const auto& e : live_label_entries(dir, path)) live.push_back(e.first);
        auto errors = undo(lines, live);
        ++report.journals;
        h.reset();
        if (errors.empty()) {
            DeleteFileW(path.c_str());
        } else {
            for (auto& e : errors) report.errors.push_back(narrow(path) + ": " + e);
        }
    }
    return report;
}

}  // namespace mxc::platform::win
