// Journaled ACL grants: what a crashed run leaves behind is undone at the next
// start, a live run's journal is left alone, and undoing one run's ACEs never
// touches another run's.
#include <doctest/doctest.h>

#include <windows.h>

#include <aclapi.h>

#include <filesystem>
#include <fstream>

#include "platform/windows/apply/acl_grant.hpp"
#include "platform/windows/apply/acl_journal.hpp"
#include "platform/windows/plan/journal_format.hpp"
#include "platform/windows/plan/windows_plan.hpp"
#include "support.hpp"

using namespace mxc::platform::win;
namespace fs = std::filesystem;

namespace {

const std::string kSidA = run_capability_sid("run-a");
const std::string kSidB = run_capability_sid("run-b");

// Explicit ACEs on `path` naming `sid`.
int aces_for(const std::wstring& path, const std::string& sid_text) {
    auto sid = sid_from_string(sid_text);
    REQUIRE(sid.ok());
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    REQUIRE(GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                  &dacl, nullptr, &sd) == ERROR_SUCCESS);
    LocalPtr<void> owner(sd);
    int n = 0;
    for (DWORD i = 0; dacl && i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        GetAce(dacl, i, &ace);
        auto* a = static_cast<ACCESS_ALLOWED_ACE*>(ace);
        if (!(a->Header.AceFlags & INHERITED_ACE) &&
            EqualSid(reinterpret_cast<PSID>(&a->SidStart), sid->get()))
            ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("a live run's journal is not replayed") {
    std::wstring dir = widen(mxc::test::win::temp_dir());
    std::string run = mxc::test::win::fresh_run_id();
    auto j = AclJournal::create(dir, run, run_capability_sid(run));
    REQUIRE(j.ok());
    auto report = replay_stale_journals(dir);
    CHECK(report.journals == 0);
    CHECK(report.rejected == 0);
    CHECK(fs::exists(fs::path(j->path())));
}

TEST_CASE("a crashed run's journal is replayed and deleted") {
    std::wstring dir = widen(mxc::test::win::temp_dir());
    std::string run = mxc::test::win::fresh_run_id();
    auto victim = journal_tmp_dir(mxc::test::win::temp_root(), run);
    REQUIRE(victim.ok());
    fs::create_directories(fs::path(widen(*victim + "\\sub")));
    std::string journal = narrow(dir) + "\\" + run + ".journal";
    {
        std::ofstream out(journal, std::ios::binary);
        out << journal_header(run_capability_sid(run)) << "\n"
            << "dir\t" << *victim << "\n";
    }
    auto report = replay_stale_journals(dir);
    CHECK(report.journals == 1);
    CHECK(report.errors.empty());
    CHECK_FALSE(fs::exists(fs::path(widen(*victim))));
    CHECK_FALSE(fs::exists(journal));
}

TEST_CASE("restore() undoes the run's changes and deletes its journal") {
    std::wstring dir = widen(mxc::test::win::temp_dir());
    std::wstring tmp = widen(mxc::test::win::temp_dir() + "\\run-tmp");
    std::string run = mxc::test::win::fresh_run_id();
    auto j = AclJournal::create(dir, run, run_capability_sid(run));
    REQUIRE(j.ok());
    AclApplier applier(*j, run_capability_sid(run));
    REQUIRE(applier.create_dir(tmp).ok());
    CHECK(fs::exists(fs::path(tmp)));
    auto errors = j->restore();
    CHECK(errors.empty());
    CHECK_FALSE(fs::exists(fs::path(tmp)));
    CHECK_FALSE(fs::exists(fs::path(j->path())));
}

TEST_CASE("a journal is created only under a run id name") {
    std::wstring dir = widen(mxc::test::win::temp_dir());
    CHECK_FALSE(AclJournal::create(dir, "..\\..\\evil", kSidA).ok());
    CHECK_FALSE(AclJournal::create(dir, "live-run", kSidA).ok());
}

TEST_CASE("removing one run's ACEs leaves another run's ACEs in place") {
    if (mxc::test::win::under_wine()) return;  // wine keeps no file DACLs: see the wine case below
    std::wstring path = widen(mxc::test::win::temp_dir());
    auto a = sid_from_string(kSidA);
    auto b = sid_from_string(kSidB);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    auto st = add_ace(path, a->get(), AceType::Allow, 0x1200A9, 0x3);
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().message));
    REQUIRE(add_ace(path, b->get(), AceType::Allow, 0x1301BF, 0x3).ok());
    CHECK(aces_for(path, kSidA) == 1);
    CHECK(aces_for(path, kSidB) == 1);
    REQUIRE(remove_aces_for(path, a->get()).ok());
    CHECK(aces_for(path, kSidA) == 0);
    CHECK(aces_for(path, kSidB) == 1);
}

TEST_CASE("a deny ACE is written as a deny ACE, first in canonical order") {
    if (mxc::test::win::under_wine()) return;
    std::wstring path = widen(mxc::test::win::temp_dir());
    auto a = sid_from_string(kSidA);
    REQUIRE(a.ok());
    REQUIRE(add_ace(path, a->get(), AceType::Deny, 0x1301BF, 0x3).ok());
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR sd = nullptr;
    REQUIRE(GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                  &dacl, nullptr, &sd) == ERROR_SUCCESS);
    LocalPtr<void> owner(sd);
    REQUIRE(dacl != nullptr);
    void* first = nullptr;
    REQUIRE(GetAce(dacl, 0, &first));
    CHECK(static_cast<ACE_HEADER*>(first)->AceType == ACCESS_DENIED_ACE_TYPE);
}

TEST_CASE("wine 8: file DACLs are accepted and dropped, so a grant is reported as not applied") {
    if (!mxc::test::win::under_wine()) return;
    // wine derives file security descriptors from Unix mode bits: the set
    // call succeeds and the ACE is gone when read back.
    std::wstring path = widen(mxc::test::win::temp_dir());
    auto a = sid_from_string(kSidA);
    REQUIRE(a.ok());
    CHECK(add_ace(path, a->get(), AceType::Allow, 0x1200A9, 0x3).ok());
    CHECK(aces_for(path, kSidA) == 0);
    CHECK(remove_aces_for(path, a->get()).ok());

    std::wstring dir = widen(mxc::test::win::temp_dir());
    std::string run = mxc::test::win::fresh_run_id();
    auto j = AclJournal::create(dir, run, kSidA);
    REQUIRE(j.ok());
    AclApplier applier(*j, kSidA);
    AclGrant g;
    g.type = AceType::Allow;
    g.mask = 0x1200A9;
    g.inheritance = 0x3;
    g.trustee_sid = kSidA;
    auto st = applier.apply(g, path);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("did not persist") != std::string::npos);
    CHECK(j->restore().empty());
}

TEST_CASE("wine 8: reading a file's integrity label is access denied") {
    if (!mxc::test::win::under_wine()) return;
    auto label = read_label(widen(mxc::test::win::temp_dir()));
    REQUIRE_FALSE(label.ok());
    CHECK(label.error().message.find("(error 5)") != std::string::npos);
}
