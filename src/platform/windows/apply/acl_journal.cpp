#include "platform/windows/apply/acl_journal.hpp"

#include <sddl.h>
#include <shlobj.h>

#include <mutex>

#include "platform/windows/apply/acl_grant.hpp"
#include "platform/windows/apply/app_container.hpp"
#include "platform/windows/apply/safe_remove.hpp"
#include "platform/windows/plan/win_path.hpp"

namespace mxc::platform::win {
// Named: the applier is one unity translation unit.
namespace journal_io {

// restore() runs on the main thread at exit and on the console-control thread
// when the console closes; the first one does the work.
std::mutex g_restore_mutex;

constexpr DWORD kLabelLockWaitMs = 30000;

std::string current_user_sid() {
    HANDLE raw = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) return {};
    UniqueHandle token(raw);
    DWORD size = 0;
    GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buf(size);
    if (size == 0 || !GetTokenInformation(token.get(), TokenUser, buf.data(), size, &size)) return {};
    return sid_to_string(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid);
}

// Protected: the profile's inherited ACEs (and anything a write rule on an
// ancestor added) do not flow in. Medium no-write-up: a Low process that
// somehow holds an allow ACE still cannot plant a journal.
std::wstring journal_dir_sddl(const std::string& user_sid) {
    return widen("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;" + user_sid + ")S:(ML;OICI;NW;;;ME)");
}

Status protect_dir(const std::wstring& dir, const std::string& user_sid) {
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(journal_dir_sddl(user_sid).c_str(),
                                                              SDDL_REVISION_1, &sd, nullptr))
        return win_error("building the journal directory's security descriptor");
    LocalPtr<void> sd_owner(sd);
    SECURITY_ATTRIBUTES sa{sizeof sa, sd, FALSE};
    if (!CreateDirectoryW(dir.c_str(), &sa) && GetLastError() != ERROR_ALREADY_EXISTS)
        return win_error("creating " + narrow(dir));
    // Existing or new: it must be a real directory, and gets the descriptor
    // again (an older mxc created it with inherited ACEs).
    UniqueHandle h(CreateFileW(dir.c_str(), READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!h.valid()) return win_error("opening " + narrow(dir));
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(h.get(), &info))
        return win_error("reading the attributes of " + narrow(dir));
    if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
        return make_error(narrow(dir) + " is a link (reparse point): refusing to keep journals there");
    if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        return make_error(narrow(dir) + " is not a directory");
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr, sacl = nullptr;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    GetSecurityDescriptorSacl(sd, &present, &sacl, &defaulted);
    DWORD rc = SetSecurityInfo(
        h.get(), SE_FILE_OBJECT,
        DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION, nullptr,
        nullptr, dacl, sacl);
    if (rc != ERROR_SUCCESS) return win_error("protecting " + narrow(dir), rc);
    return {};
}

std::string read_capped(HANDLE h) {
    std::string data;
    char buf[4096];
    DWORD n = 0;
    while (data.size() <= kJournalMaxBytes && ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0)
        data.append(buf, n);
    return data;
}

// "<run id>.journal" -> run id; "" when the name is not one mxc makes.
std::string run_id_of(const std::wstring& file_name) {
    const std::wstring ext = L".journal";
    if (file_name.size() <= ext.size() ||
        file_name.compare(file_name.size() - ext.size(), ext.size(), ext) != 0)
        return {};
    std::string id = narrow(file_name.substr(0, file_name.size() - ext.size()));
    return valid_run_id(id) ? id : std::string();
}

struct JournalName {
    std::wstring name;
    bool link = false;  // a reparse point, as the directory listing says
};

std::vector<JournalName> journal_names(const std::wstring& dir) {
    std::vector<JournalName> out;
    WIN32_FIND_DATAW fd;
    HANDLE find = FindFirstFileW((dir + L"\\*.journal").c_str(), &fd);
    if (find == INVALID_HANDLE_VALUE) return out;
    do {
        if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
            (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
            out.push_back({fd.cFileName, (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0});
    } while (FindNextFileW(find, &fd));
    FindClose(find);
    return out;
}

// Why this open journal file is not one mxc wrote ("" = it may be).
std::string file_problem(HANDLE h) {
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(h, &info))
        return win_error_text("reading its attributes", GetLastError());
    if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) return "it is a link (reparse point)";
    if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) return "it is a directory";
    if (info.nNumberOfLinks != 1) return "it has " + std::to_string(info.nNumberOfLinks) + " hard links";
    if (info.nFileSizeHigh != 0 || info.nFileSizeLow > kJournalMaxBytes)
        return "it is larger than " + std::to_string(kJournalMaxBytes) + " bytes";
    return {};
}

// Renames a refused journal so it is kept for inspection and never replayed
// again. MoveFileExW renames the name itself: a link stays a link (pointing
// where it did), a hard link's other names are untouched.
bool set_aside(const std::wstring& path) {
    return MoveFileExW(path.c_str(), (path + L".rejected").c_str(), MOVEFILE_REPLACE_EXISTING) != FALSE;
}

// Undo entries in reverse order. `live_labels` lists paths another live run
// has lowered: leave those Low until the last run restores them.
std::vector<std::string> undo(const std::vector<JournalEntry>& entries, const std::string& run_sid,
                              const std::vector<std::string>& live_labels) {
    std::vector<std::string> errors;
    auto sid = sid_from_string(run_sid);
    if (!sid) return {sid.error().message};
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        const JournalEntry& e = *it;
        switch (e.op) {
            case JournalOp::Ace:
                if (auto st = remove_aces_for(widen(e.target), sid->get()); !st)
                    errors.push_back(st.error().message);
                break;
            case JournalOp::AceOnLink:
                if (auto st = remove_aces_on_link(widen(e.target), sid->get()); !st)
                    errors.push_back(st.error().message);
                break;
            case JournalOp::Label: {
                bool shared = false;
                for (const auto& p : live_labels) shared = shared || path_equal(p, e.target);
                if (shared) break;
                if (auto st = set_label(widen(e.target), e.label); !st) errors.push_back(st.error().message);
                break;
            }
            case JournalOp::Dir: {
                auto report = remove_tree_no_follow(widen(e.target));
                for (auto& err : report.errors) errors.push_back("removing {tmp}: " + err);
                break;
            }
            case JournalOp::AppContainer:
                if (auto st = delete_app_container(e.target); !st) errors.push_back(st.error().message);
                break;
        }
    }
    return errors;
}

// Every label entry of journals whose owner is alive (other than `self`). A
// journal is live only when opening it for DELETE is a sharing violation: a
// crashed run's journal (openable) never keeps a path Low.
std::vector<std::pair<std::string, std::string>> live_label_entries(const std::wstring& dir,
                                                                    const std::wstring& self) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::wstring temp = AclJournal::temp_root();
    for (const auto& [name, link] : journal_names(dir)) {
        std::wstring path = dir + L"\\" + name;
        if (link) continue;
        if (CompareStringOrdinal(path.c_str(), -1, self.c_str(), -1, TRUE) == CSTR_EQUAL) continue;
        std::string run_id = run_id_of(name);
        if (run_id.empty()) continue;
        {
            UniqueHandle probe(CreateFileW(path.c_str(), DELETE, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                           FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
            if (probe.valid() || GetLastError() != ERROR_SHARING_VIOLATION) continue;  // not live
        }
        UniqueHandle h(CreateFileW(path.c_str(), GENERIC_READ,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                   OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
        if (!h.valid() || !file_problem(h.get()).empty()) continue;
        auto entries = parse_journal(read_capped(h.get()), JournalExpectations{run_id, narrow(temp)});
        if (!entries) continue;
        for (const auto& e : *entries)
            if (e.op == JournalOp::Label) out.emplace_back(e.target, e.label);
    }
    return out;
}

std::vector<std::string> live_label_paths(const std::wstring& dir, const std::wstring& self) {
    std::vector<std::string> out;
    for (auto& e : live_label_entries(dir, self)) out.push_back(std::move(e.first));
    return out;
}

}  // namespace journal_io

LabelLock::LabelLock() {
    std::string user = journal_io::current_user_sid();
    std::wstring name = L"Local\\mxc-labels-" + widen(user.empty() ? "unknown" : user);
    mutex_.reset(CreateMutexW(nullptr, FALSE, name.c_str()));
    if (!mutex_.valid()) {
        problem_ = win_error_text("creating the label mutex", GetLastError());
        return;
    }
    DWORD w = WaitForSingleObject(mutex_.get(), journal_io::kLabelLockWaitMs);
    held_ = w == WAIT_OBJECT_0 || w == WAIT_ABANDONED;
    if (!held_) problem_ = "timed out waiting for another mxc run's label update";
}

LabelLock::~LabelLock() {
    if (held_) ReleaseMutex(mutex_.get());
}

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

std::wstring AclJournal::temp_root() {
    wchar_t buf[MAX_PATH + 2];
    DWORD n = GetTempPathW(MAX_PATH + 2, buf);
    return (n > 0 && n < MAX_PATH + 2) ? std::wstring(buf, n) : std::wstring();
}

Status prepare_journal_dir(const std::wstring& dir) {
    std::string user = journal_io::current_user_sid();
    if (user.empty()) return make_error("cannot read this process's user SID");
    // The parent (%LOCALAPPDATA%\mxc) is created plainly; no write rule may
    // cover it (WindowsHostFacts::private_dirs), so a run cannot swap the
    // journal directory out from under it.
    auto slash = dir.find_last_of(L'\\');
    if (slash != std::wstring::npos && slash > 3) CreateDirectoryW(dir.substr(0, slash).c_str(), nullptr);
    return journal_io::protect_dir(dir, user);
}

Result<AclJournal> AclJournal::create(const std::wstring& dir, const std::string& run_id,
                                      const std::string& run_sid) {
    if (!valid_run_id(run_id)) return make_error("run id " + run_id + " is not 16-64 lowercase hex digits");
    if (auto st = prepare_journal_dir(dir); !st)
        return make_error("the ACL journal directory: " + st.error().message);
    AclJournal j;
    j.dir_ = dir;
    j.path_ = dir + L"\\" + widen(run_id) + L".journal";
    j.run_id_ = run_id;
    j.run_sid_ = run_sid;
    // Share read only: see the liveness note in the header. CREATE_NEW fails
    // on any existing name, a planted link included.
    j.file_.reset(CreateFileW(j.path_.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_NEW,
                              FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!j.file_.valid()) return win_error("creating the ACL journal " + narrow(j.path_));
    std::string header = journal_header(run_sid);
    std::string data = header + "\n";
    DWORD written = 0;
    if (!WriteFile(j.file_.get(), data.data(), static_cast<DWORD>(data.size()), &written, nullptr) ||
        written != data.size() || !FlushFileBuffers(j.file_.get()))
        return win_error("writing the ACL journal " + narrow(j.path_));
    return j;
}

AclJournal::~AclJournal() {
    if (file_.valid() && !restored_) restore();
}

Status AclJournal::append(const std::string& line, JournalEntry entry) {
    std::string data = line + "\n";
    DWORD written = 0;
    if (!WriteFile(file_.get(), data.data(), static_cast<DWORD>(data.size()), &written, nullptr) ||
        written != data.size())
        return win_error("writing the ACL journal " + narrow(path_));
    // On disk before the change it describes is made.
    if (!FlushFileBuffers(file_.get())) return win_error("flushing the ACL journal " + narrow(path_));
    entries_.push_back(std::move(entry));
    return {};
}

Status AclJournal::record_ace(const std::wstring& path) {
    return append("ace\t" + narrow(path), JournalEntry{JournalOp::Ace, narrow(path), ""});
}
Status AclJournal::record_ace_on_link(const std::wstring& path) {
    return append("ace-link\t" + narrow(path), JournalEntry{JournalOp::AceOnLink, narrow(path), ""});
}
Status AclJournal::record_label(const std::wstring& path, const std::string& original_sddl) {
    return append("label\t" + narrow(path) + "\t" + original_sddl,
                  JournalEntry{JournalOp::Label, narrow(path), original_sddl});
}
Status AclJournal::record_dir(const std::wstring& path) {
    return append("dir\t" + narrow(path), JournalEntry{JournalOp::Dir, narrow(path), ""});
}
Status AclJournal::record_container(const std::string& profile_name) {
    return append("appcontainer\t" + profile_name, JournalEntry{JournalOp::AppContainer, profile_name, ""});
}

Result<std::string> AclJournal::original_label_for(const std::wstring& path) const {
    std::string p = narrow(path);
    for (const auto& [other, original] : journal_io::live_label_entries(dir_, path_))
        if (path_equal(other, p)) return original;
    return read_label(path);
}

std::vector<std::string> AclJournal::restore() {
    std::lock_guard<std::mutex> lock(journal_io::g_restore_mutex);
    if (restored_) return {};
    restored_ = true;
    LabelLock labels;
    auto errors = journal_io::undo(entries_, run_sid_, journal_io::live_label_paths(dir_, path_));
    file_.reset();
    // Keep a journal whose undo failed: the next start tries again (every
    // step is idempotent, and a dead journal never counts as live).
    if (errors.empty()) DeleteFileW(path_.c_str());
    return errors;
}

ReplayReport replay_stale_journals(const std::wstring& dir, const std::wstring& temp_root) {
    ReplayReport report;
    LabelLock labels;
    for (const auto& [name, link] : journal_io::journal_names(dir)) {
        std::wstring path = dir + L"\\" + name;
        // DELETE without FILE_SHARE_WRITE: fails with a sharing violation
        // exactly when the owner still has it open, i.e. is alive.
        UniqueHandle h(CreateFileW(path.c_str(), GENERIC_READ | DELETE, FILE_SHARE_READ, nullptr,
                                   OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
        if (!h.valid() && !link) continue;  // live, or another mxc is replaying it right now
        auto refuse = [&](const std::string& why) {
            ++report.rejected;
            h.reset();
            // A link is left where it is: renaming goes through the name, and
            // under wine a rename of a Unix symlink moves its target.
            bool moved = !link && journal_io::set_aside(path);
            report.errors.push_back(narrow(path) + ": refused, not replayed: " + why +
                                    (moved ? " (renamed to *.rejected)" : ""));
        };
        if (link) {
            refuse("it is a link (reparse point)");
            continue;
        }
        std::string run_id = journal_io::run_id_of(name);
        if (run_id.empty()) {
            refuse("the file name is not <run id>.journal");
            continue;
        }
        if (auto why = journal_io::file_problem(h.get()); !why.empty()) {
            refuse(why);
            continue;
        }
        auto entries =
            parse_journal(journal_io::read_capped(h.get()), JournalExpectations{run_id, narrow(temp_root)});
        if (!entries) {
            refuse(entries.error().message);
            continue;
        }
        ++report.journals;
        auto errors =
            journal_io::undo(*entries, run_capability_sid(run_id), journal_io::live_label_paths(dir, path));
        if (errors.empty()) {
            FILE_DISPOSITION_INFO d{TRUE};
            SetFileInformationByHandle(h.get(), FileDispositionInfo, &d, sizeof d);
        } else {
            for (auto& e : errors) report.errors.push_back(narrow(path) + ": " + e);
        }
    }
    return report;
}

}  // namespace mxc::platform::win
