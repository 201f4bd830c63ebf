#include "platform/windows/apply/safe_remove.hpp"

#include <winternl.h>

#include <vector>

namespace mxc::platform::win {
// A named namespace: the applier is a unity build, and other files' anonymous
// namespaces share this translation unit.
namespace walk_detail {

using NtCreateFileFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK,
                                        PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
using RtlNtStatusToDosErrorFn = ULONG(NTAPI*)(NTSTATUS);

// Deep enough for any real tree; a deeper one (made to exhaust the stack)
// is reported, not walked.
constexpr int kMaxDepth = 256;
constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
constexpr DWORD kBaseAccess = DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;

struct Entry {
    UniqueHandle handle;
    DWORD attributes = 0;
    bool reparse_point = false;
    LARGE_INTEGER creation_time{};
    std::uint64_t file_id = 0;
};

struct Walker {
    NtCreateFileFn nt_create = nullptr;
    RtlNtStatusToDosErrorFn to_dos = nullptr;
    DWORD extra_access = 0;
    const std::function<void(const WalkEntry&)>* visit = nullptr;
    // Entries that are not directories to enter are opened only when this
    // says so (by file id); the others are visited from the listing alone.
    const std::function<bool(std::uint64_t)>* open_entry = nullptr;
    bool remove = false;
    RemoveReport* report = nullptr;
    std::vector<std::string> errors;
};

// Attributes from the opened object itself: what the name pointed at when it
// was opened is what gets entered or deleted.
bool describe(Entry& e) {
    FILE_BASIC_INFO info{};
    if (!GetFileInformationByHandleEx(e.handle.get(), FileBasicInfo, &info, sizeof info)) return false;
    e.attributes = info.FileAttributes;
    e.reparse_point = (info.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    e.creation_time = info.CreationTime;
    // The same number the directory listing gives as FileId (the walk never
    // crosses a mount point, so one volume).
    BY_HANDLE_FILE_INFORMATION id{};
    if (GetFileInformationByHandle(e.handle.get(), &id))
        e.file_id = (static_cast<std::uint64_t>(id.nFileIndexHigh) << 32) | id.nFileIndexLow;
    return true;
}

// Opens `name` relative to the directory handle `parent` without following a
// reparse point. Directories are opened with FILE_LIST_DIRECTORY so they can
// be enumerated; if that is refused the entry can still be deleted.
Result<Entry> open_child(const Walker& w, HANDLE parent, const std::wstring& name) {
    UNICODE_STRING us;
    us.Buffer = const_cast<PWSTR>(name.c_str());
    us.Length = static_cast<USHORT>(name.size() * sizeof(wchar_t));
    us.MaximumLength = us.Length;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, parent, nullptr);
    const DWORD wanted[] = {kBaseAccess | FILE_LIST_DIRECTORY | w.extra_access, kBaseAccess | w.extra_access,
                            kBaseAccess};
    NTSTATUS st = 0;
    for (DWORD access : wanted) {
        HANDLE h = nullptr;
        IO_STATUS_BLOCK io{};
        st = w.nt_create(&h, access, &oa, &io, nullptr, 0, kShareAll, FILE_OPEN,
                         FILE_OPEN_REPARSE_POINT | FILE_OPEN_FOR_BACKUP_INTENT | FILE_SYNCHRONOUS_IO_NONALERT,
                         nullptr, 0);
        if (NT_SUCCESS(st)) {
            Entry e;
            e.handle.reset(h);
            if (!describe(e)) return win_error("reading the attributes of " + narrow(name));
            return e;
        }
        if (st != static_cast<NTSTATUS>(0xC0000022L)) break;  // STATUS_ACCESS_DENIED: retry with less
    }
    return win_error("opening " + narrow(name), w.to_dos ? w.to_dos(st) : ERROR_GEN_FAILURE);
}

Result<Entry> open_root(const std::wstring& path, DWORD extra_access) {
    const DWORD wanted[] = {kBaseAccess | FILE_LIST_DIRECTORY | extra_access, kBaseAccess | extra_access,
                            kBaseAccess};
    DWORD err = 0;
    for (DWORD access : wanted) {
        Entry e;
        e.handle.reset(CreateFileW(path.c_str(), access, kShareAll, nullptr, OPEN_EXISTING,
                                   FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
        if (e.handle.valid()) {
            if (!describe(e)) return win_error("reading the attributes of " + narrow(path));
            return e;
        }
        err = GetLastError();
        if (err != ERROR_ACCESS_DENIED) break;
    }
    return win_error("opening " + narrow(path), err);
}

struct Child {
    std::wstring name;
    bool reparse_point = false;  // as the directory listing reports it
    DWORD attributes = 0;
    LARGE_INTEGER creation_time{};
    std::uint64_t file_id = 0;
};

std::vector<Child> list_children(HANDLE dir, bool& ok) {
    std::vector<Child> out;
    std::vector<unsigned char> buf(64 * 1024);
    ok = true;
    FILE_INFO_BY_HANDLE_CLASS cls = FileIdBothDirectoryRestartInfo;
    for (;;) {
        if (!GetFileInformationByHandleEx(dir, cls, buf.data(), static_cast<DWORD>(buf.size()))) {
            if (GetLastError() != ERROR_NO_MORE_FILES) ok = false;
            return out;
        }
        cls = FileIdBothDirectoryInfo;
        std::size_t offset = 0;
        for (;;) {
            auto* info = reinterpret_cast<FILE_ID_BOTH_DIR_INFO*>(buf.data() + offset);
            std::wstring name(info->FileName, info->FileNameLength / sizeof(wchar_t));
            if (name != L"." && name != L"..")
                out.push_back({name, (info->FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0,
                               info->FileAttributes, info->CreationTime,
                               static_cast<std::uint64_t>(info->FileId.QuadPart)});
            if (info->NextEntryOffset == 0) break;
            offset += info->NextEntryOffset;
        }
    }
}

// FileDispositionInfoEx and its flags (Windows 10 1809+; the SDK's values,
// which mingw-w64 only declares for _WIN32_WINNT >= 0x0A000002).
constexpr auto kFileDispositionInfoEx = static_cast<FILE_INFO_BY_HANDLE_CLASS>(21);
constexpr DWORD kDispositionDelete = 0x1;
constexpr DWORD kDispositionPosixSemantics = 0x2;
constexpr DWORD kDispositionIgnoreReadOnly = 0x10;
struct DispositionInfoEx {
    DWORD Flags;
};

bool mark_for_deletion(HANDLE h, DWORD attributes) {
    DispositionInfoEx ex{kDispositionDelete | kDispositionPosixSemantics | kDispositionIgnoreReadOnly};
    if (SetFileInformationByHandle(h, kFileDispositionInfoEx, &ex, sizeof ex)) return true;
    // Before Windows 10 1809 (and under wine): clear read-only first, which
    // the sandbox may have set to make the cleanup fail.
    if (attributes & FILE_ATTRIBUTE_READONLY) {
        FILE_BASIC_INFO basic{};
        basic.FileAttributes = attributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY);
        if (basic.FileAttributes == 0) basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;
        SetFileInformationByHandle(h, FileBasicInfo, &basic, sizeof basic);
    }
    FILE_DISPOSITION_INFO d{TRUE};
    return SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d) != FALSE;
}

// Visits (and with w.remove deletes) `e` and, if it is a real directory, its
// children first. The handle closes when `e` goes out of scope, which is
// when a marked deletion happens.
void walk(Walker& w, Entry e, const std::wstring& path, bool listed_as_link, int depth) {
    const bool link = e.reparse_point || listed_as_link;
    if (w.visit && *w.visit) {
        WalkEntry we;
        we.handle = e.handle.get();
        we.path = path;
        we.attributes = e.attributes;
        we.reparse_point = link;
        we.creation_time = e.creation_time;
        we.file_id = e.file_id;
        (*w.visit)(we);
    }
    if ((e.attributes & FILE_ATTRIBUTE_DIRECTORY) && !link) {
        if (depth >= kMaxDepth) {
            w.errors.push_back(narrow(path) + ": deeper than " + std::to_string(kMaxDepth) +
                               " levels, not walked");
            return;
        }
        bool ok = true;
        auto children = list_children(e.handle.get(), ok);
        if (!ok) w.errors.push_back(win_error_text("listing " + narrow(path), GetLastError()));
        for (const auto& c : children) {
            std::wstring child_path = path + L"\\" + c.name;
            const bool enterable = (c.attributes & FILE_ATTRIBUTE_DIRECTORY) && !c.reparse_point;
            if (!w.remove && !enterable && w.open_entry && *w.open_entry && !(*w.open_entry)(c.file_id)) {
                WalkEntry we;
                we.path = child_path;
                we.attributes = c.attributes;
                we.reparse_point = c.reparse_point;
                we.creation_time = c.creation_time;
                we.file_id = c.file_id;
                (*w.visit)(we);
                continue;
            }
            auto child = open_child(w, e.handle.get(), c.name);
            if (!child) {
                w.errors.push_back(narrow(child_path) + ": " + child.error().message);
                continue;
            }
            walk(w, std::move(*child), child_path, c.reparse_point, depth + 1);
        }
    }
    if (!w.remove) return;
    if (!mark_for_deletion(e.handle.get(), e.attributes)) {
        w.errors.push_back(win_error_text("deleting " + narrow(path), GetLastError()));
        return;
    }
    ++w.report->removed;
    if (link) w.report->links.push_back(narrow(path));
}

// The name's own attributes (GetFileAttributesW does not follow the last
// component). Wine opens a Unix symlink's target even with
// FILE_FLAG_OPEN_REPARSE_POINT, so the handle alone cannot be trusted there;
// on Windows both agree.
bool named_link(const std::wstring& path) {
    DWORD attrs = GetFileAttributesW(path.c_str());
    return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT);
}

Walker make_walker(std::vector<std::string>& errors) {
    Walker w;
    w.nt_create = find_function_as<NtCreateFileFn>(L"ntdll.dll", "NtCreateFile");
    w.to_dos = find_function_as<RtlNtStatusToDosErrorFn>(L"ntdll.dll", "RtlNtStatusToDosError");
    if (!w.nt_create) errors.push_back("NtCreateFile not found in ntdll.dll");
    return w;
}

}  // namespace walk_detail

std::vector<std::string> walk_no_follow(const std::wstring& root, DWORD extra_access,
                                        const std::function<void(const WalkEntry&)>& visit,
                                        const std::function<bool(std::uint64_t)>& open_entry) {
    std::vector<std::string> errors;
    auto w = walk_detail::make_walker(errors);
    if (!w.nt_create) return errors;
    w.extra_access = extra_access;
    w.visit = &visit;
    w.open_entry = &open_entry;
    auto e = walk_detail::open_root(root, extra_access);
    if (!e) {
        DWORD attrs = GetFileAttributesW(root.c_str());
        if (attrs != INVALID_FILE_ATTRIBUTES) errors.push_back(e.error().message);
        return errors;
    }
    walk_detail::walk(w, std::move(*e), root, walk_detail::named_link(root), 0);
    return w.errors;
}

RemoveReport remove_tree_no_follow(const std::wstring& path) {
    RemoveReport report;
    auto w = walk_detail::make_walker(report.errors);
    if (!w.nt_create) return report;
    w.remove = true;
    w.report = &report;
    auto e = walk_detail::open_root(path, 0);
    if (!e) {
        // Gone already is fine (GetFileAttributesW does not follow links).
        if (GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES)
            report.errors.push_back(e.error().message);
        return report;
    }
    walk_detail::walk(w, std::move(*e), path, walk_detail::named_link(path), 0);
    report.errors = std::move(w.errors);
    return report;
}

}  // namespace mxc::platform::win
