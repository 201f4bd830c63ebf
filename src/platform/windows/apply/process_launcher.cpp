#include "platform/windows/apply/process_launcher.hpp"

#include <vector>

#include "platform/windows/plan/win_constants.hpp"

namespace mxc::platform::win {
namespace {

class AttributeList {
public:
    static Result<AttributeList> create(DWORD count) {
        AttributeList a;
        SIZE_T size = 0;
        InitializeProcThreadAttributeList(nullptr, count, 0, &size);
        a.buf_.resize(size);
        a.list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(a.buf_.data());
        if (!InitializeProcThreadAttributeList(a.list_, count, 0, &size))
            return win_error("InitializeProcThreadAttributeList");
        return a;
    }
    AttributeList(AttributeList&& o) noexcept
        : buf_(std::move(o.buf_)), list_(std::exchange(o.list_, nullptr)) {}
    AttributeList& operator=(AttributeList&&) = delete;
    ~AttributeList() {
        if (list_) DeleteProcThreadAttributeList(list_);
    }
    Status set(DWORD_PTR attribute, void* value, SIZE_T size, const char* what) {
        if (!UpdateProcThreadAttribute(list_, 0, attribute, value, size, nullptr, nullptr))
            return win_error(std::string("UpdateProcThreadAttribute(") + what + ")");
        return {};
    }
    [[nodiscard]] LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

private:
    AttributeList() = default;
    std::vector<BYTE> buf_;
    LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

}  // namespace

Result<LaunchedProcess> launch_suspended(const LaunchSpec& spec, LaunchFailure& failure) {
    auto fail = [&](Error e) {
        failure.code = GetLastError();
        failure.message = e.message;
        return e;
    };

    // Inheritable duplicates of the stdio handles: the originals are used
    // untouched (same console / pipe / file), but only these copies are
    // listed for inheritance, and they are closed again after CreateProcess.
    std::vector<UniqueHandle> dups;
    std::vector<HANDLE> inherit;
    HANDLE std_handles[3] = {GetStdHandle(STD_INPUT_HANDLE), GetStdHandle(STD_OUTPUT_HANDLE),
                             GetStdHandle(STD_ERROR_HANDLE)};
    HANDLE child_std[3] = {nullptr, nullptr, nullptr};
    for (int i = 0; i < 3; ++i) {
        HANDLE h = std_handles[i];
        if (h == nullptr || h == INVALID_HANDLE_VALUE) continue;
        bool seen = false;
        for (int j = 0; j < i; ++j) {
            if (std_handles[j] == h) {
                child_std[i] = child_std[j];
                seen = true;
            }
        }
        if (seen) continue;
        HANDLE dup = nullptr;
        if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &dup, 0, TRUE,
                             DUPLICATE_SAME_ACCESS))
            continue;
        dups.emplace_back(dup);
        inherit.push_back(dup);
        child_std[i] = dup;
    }

    DWORD count = 1 + (spec.capabilities ? 1 : 0) + (spec.child_process_restricted ? 1 : 0) +
                  (spec.win32k_disabled ? 1 : 0);
    auto attrs = AttributeList::create(count);
    if (!attrs) return fail(attrs.error());
    if (!inherit.empty()) {
        auto st = attrs->set(PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit.data(),
                             inherit.size() * sizeof(HANDLE), "HANDLE_LIST");
        if (!st) return fail(st.error());
    }
    if (spec.capabilities) {
        auto st = attrs->set(PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES, spec.capabilities,
                             sizeof(SECURITY_CAPABILITIES), "SECURITY_CAPABILITIES");
        if (!st) return fail(st.error());
    }
    DWORD child_policy = k::kChildProcessRestricted;
    if (spec.child_process_restricted) {
        auto st = attrs->set(PROC_THREAD_ATTRIBUTE_CHILD_PROCESS_POLICY, &child_policy, sizeof child_policy,
                             "CHILD_PROCESS_POLICY");
        if (!st) return fail(st.error());
    }
    DWORD64 mitigation = k::kMitigationWin32kDisableAlwaysOn;
    if (spec.win32k_disabled) {
        auto st = attrs->set(PROC_THREAD_ATTRIBUTE_MITIGATION_POLICY, &mitigation, sizeof mitigation,
                             "MITIGATION_POLICY");
        if (!st) return fail(st.error());
    }

    STARTUPINFOEXW si{};
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = child_std[0];
    si.StartupInfo.hStdOutput = child_std[1];
    si.StartupInfo.hStdError = child_std[2];
    std::wstring desktop = spec.desktop;
    if (!desktop.empty()) si.StartupInfo.lpDesktop = desktop.data();
    si.lpAttributeList = attrs->get();

    std::wstring cmdline = spec.command_line;  // CreateProcessW may write to it
    std::wstring env = spec.environment;
    // Same process group and console as mxc: Ctrl-C / Ctrl-Break typed at the
    // console reach the command directly (that is the forwarding).
    DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
    PROCESS_INFORMATION pi{};
    BOOL inherit_handles = inherit.empty() ? FALSE : TRUE;
    BOOL ok;
    if (spec.token) {
        ok = CreateProcessAsUserW(spec.token, spec.application.c_str(), cmdline.data(), nullptr, nullptr,
                                  inherit_handles, flags, env.data(),
                                  spec.cwd.empty() ? nullptr : spec.cwd.c_str(), &si.StartupInfo, &pi);
    } else {
        ok =
            CreateProcessW(spec.application.c_str(), cmdline.data(), nullptr, nullptr, inherit_handles, flags,
                           env.data(), spec.cwd.empty() ? nullptr : spec.cwd.c_str(), &si.StartupInfo, &pi);
    }
    if (!ok) {
        DWORD code = GetLastError();
        failure.code = code;
        failure.message = win_error_text("starting " + narrow(spec.application), code);
        return make_error(failure.message);
    }
    LaunchedProcess out;
    out.process.reset(pi.hProcess);
    out.thread.reset(pi.hThread);
    out.pid = pi.dwProcessId;
    return out;
}

}  // namespace mxc::platform::win
