// Issue 16 under wine: what the launcher cleans up, replays and leaves on the
// console must not be steerable by the sandbox.
//  - a link planted in {tmp} survives cleanup, and so does what it points at
//    (the control shows std::filesystem::remove_all, used before, deletes it);
//  - hostile journal lines and files are refused whole, never executed;
//  - a crashed run's journal does not count as live;
//  - console input queued by the command is discarded.
#include <doctest/doctest.h>

#include <windows.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "platform/windows/apply/acl_grant.hpp"
#include "platform/windows/apply/acl_journal.hpp"
#include "platform/windows/apply/console_ctrl.hpp"
#include "platform/windows/apply/leftover_reset.hpp"
#include "platform/windows/apply/path_facts.hpp"
#include "platform/windows/apply/safe_remove.hpp"
#include "platform/windows/plan/command_line.hpp"
#include "platform/windows/plan/journal_format.hpp"
#include "platform/windows/plan/windows_plan.hpp"
#include "support.hpp"

using namespace mxc::platform::win;
namespace fs = std::filesystem;
namespace tw = mxc::test::win;

namespace {

// A directory outside {tmp} with something worth keeping in it.
std::string make_victim() {
    std::string victim = tw::temp_dir() + "\\victim";
    fs::create_directories(fs::path(widen(victim + "\\sub")));
    std::ofstream(fs::path(widen(victim + "\\precious.txt"))) << "keep me";
    std::ofstream(fs::path(widen(victim + "\\sub\\also.txt"))) << "keep me too";
    return victim;
}

bool victim_intact(const std::string& victim) {
    return fs::exists(fs::path(widen(victim + "\\precious.txt"))) &&
           fs::exists(fs::path(widen(victim + "\\sub\\also.txt")));
}

// {tmp} of run `run` with a file and a symlink to `victim` in it.
std::string tmp_with_link(const std::string& run, const std::string& victim) {
    auto tmp = journal_tmp_dir(tw::temp_root(), run);
    REQUIRE(tmp.ok());
    std::string plain = tmp->substr(4);  // without \\?\ for the Unix path lookup
    fs::create_directories(fs::path(widen(plain + "\\deep")));
    std::ofstream(fs::path(widen(plain + "\\deep\\own.txt"))) << "the run's own file";
    REQUIRE_MESSAGE(tw::plant_unix_symlink(victim, plain + "\\deep\\link"), "could not plant the symlink");
    return *tmp;
}

// wine 8 opens a Unix symlink's target even with FILE_OPEN_REPARSE_POINT, so
// the link itself cannot be deleted through a handle there: the walk sees it
// is a link (the listing says so), never enters it, and reports it; the link,
// its parents and {tmp} stay. On Windows the handle is the link, and it goes.
void check_link_left_and_reported(const std::vector<std::string>& errors, const std::string& tmp) {
    REQUIRE_FALSE(errors.empty());
    CHECK(errors[0].find("\\deep\\link") != std::string::npos);
    for (const auto& e : errors) CHECK(e.find("victim") == std::string::npos);
    CHECK(fs::exists(fs::path(widen(tmp.substr(4) + "\\deep"))));
    CHECK_FALSE(fs::exists(fs::path(widen(tmp.substr(4) + "\\deep\\own.txt"))));  // the run's own file went
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(fs::path(widen(path)), std::ios::binary);
    out << text;
}

}  // namespace

TEST_CASE("wine: a Unix symlink is a reparse point to Windows code") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string link = tw::temp_dir() + "\\link";
    REQUIRE(tw::plant_unix_symlink(victim, link));
    DWORD attrs = GetFileAttributesW(widen(link).c_str());
    REQUIRE(attrs != INVALID_FILE_ATTRIBUTES);
    CHECK((attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0);
}

TEST_CASE(
    "control: std::filesystem::remove_all follows a link planted in {tmp} and deletes the target's files") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string tmp = tmp_with_link(tw::fresh_run_id(), victim);
    std::error_code ec;
    fs::remove_all(fs::path(widen(tmp.substr(4))), ec);
    // What the launcher did before issue 16: the victim's contents are gone.
    CHECK_FALSE(victim_intact(victim));
}

TEST_CASE("the no-follow delete walk removes the link, not what it points at") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string tmp = tmp_with_link(tw::fresh_run_id(), victim);
    auto report = remove_tree_no_follow(widen(tmp));
    CHECK(victim_intact(victim));
    check_link_left_and_reported(report.errors, tmp);
}

TEST_CASE("a link planted in {tmp} survives restore() at normal exit, its target is untouched") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string run = tw::fresh_run_id();
    auto tmp = journal_tmp_dir(tw::temp_root(), run);
    REQUIRE(tmp.ok());
    std::wstring dir = widen(tw::temp_dir());
    auto j = AclJournal::create(dir, run, run_capability_sid(run));
    REQUIRE(j.ok());
    AclApplier applier(*j, run_capability_sid(run));
    REQUIRE(applier.create_dir(widen(*tmp)).ok());
    tmp_with_link(run, victim);  // what the sandbox leaves behind
    auto errors = j->restore();
    CHECK(victim_intact(victim));
    REQUIRE_FALSE(errors.empty());
    CHECK(errors[0].find("removing {tmp}: ") == 0);
    check_link_left_and_reported({errors[0].substr(16)}, *tmp);
    // Kept for the next start, which tries again (and again leaves the target alone).
    CHECK(fs::exists(fs::path(j->path())));
    auto report = replay_stale_journals(dir);
    CHECK(report.journals == 1);
    CHECK(victim_intact(victim));
}

TEST_CASE("a link planted in a crashed run's {tmp} survives replay at the next start") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string run = tw::fresh_run_id();
    std::string tmp = tmp_with_link(run, victim);
    std::wstring dir = widen(tw::temp_dir());
    write_file(narrow(dir) + "\\" + run + ".journal",
               journal_header(run_capability_sid(run)) + "\n" + "dir\t" + tmp + "\n");
    auto report = replay_stale_journals(dir);
    CHECK(report.journals == 1);
    CHECK(report.rejected == 0);
    CHECK(victim_intact(victim));
    REQUIRE_FALSE(report.errors.empty());
    CHECK(report.errors[0].find("\\deep\\link") != std::string::npos);
}

TEST_CASE("a {tmp} that is itself a link: only the link goes") {
    if (!tw::under_wine()) return;
    std::string victim = make_victim();
    std::string run = tw::fresh_run_id();
    auto tmp = journal_tmp_dir(tw::temp_root(), run);
    REQUIRE(tmp.ok());
    REQUIRE(tw::plant_unix_symlink(victim, tmp->substr(4)));
    auto report = remove_tree_no_follow(widen(*tmp));
    CHECK(victim_intact(victim));
    // Under wine the link cannot be deleted (see above): reported, not entered.
    REQUIRE(report.errors.size() == 1);
    CHECK(report.errors[0].find("deleting " + *tmp) == 0);
}

TEST_CASE("hostile journals are refused whole, never executed") {
    std::string victim = make_victim();
    std::string victim_ext = "\\\\?\\" + victim;
    struct Case {
        const char* what;
        std::string name;  // file name in the journal dir
        std::string text;
    };
    std::string run = tw::fresh_run_id();
    std::string own_tmp = *journal_tmp_dir(tw::temp_root(), run);
    std::string header = journal_header(run_capability_sid(run));
    const Case cases[] = {
        {"alias SID in the header", run + ".journal", "mxc-journal 1\tWD\ndir\t" + victim_ext + "\n"},
        {"another SID in the header", run + ".journal",
         journal_header(run_capability_sid(tw::fresh_run_id())) + "\ndir\t" + victim_ext + "\n"},
        {"dir outside this run's {tmp}", run + ".journal", header + "\ndir\t" + victim_ext + "\n"},
        {"good line then bad line", run + ".journal", header + "\ndir\t" + victim_ext + "\nbogus\n"},
        {"a label that lowers", run + ".journal",
         header + "\nlabel\t" + victim_ext + "\tS:(ML;OICI;NW;;;LW)\ndir\t" + victim_ext + "\n"},
        {"not a run id name", "evil.journal",
         journal_header(run_capability_sid("evil")) + "\ndir\t" + victim_ext + "\n"},
        {"oversize", run + ".journal", header + "\n" + std::string(kJournalMaxBytes + 10, '\n')},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        std::wstring dir = widen(tw::temp_dir());
        std::string path = narrow(dir) + "\\" + c.name;
        write_file(path, c.text);
        auto report = replay_stale_journals(dir);
        CHECK(report.journals == 0);
        CHECK(report.rejected == 1);
        CHECK(victim_intact(victim));
        CHECK_FALSE(fs::exists(fs::path(widen(path))));
        CHECK(fs::exists(fs::path(widen(path + ".rejected"))));
        REQUIRE_FALSE(report.errors.empty());
        CHECK(report.errors[0].find("refused") != std::string::npos);
    }
    (void)own_tmp;
}

TEST_CASE("a hard-linked journal is refused") {
    std::string run = tw::fresh_run_id();
    std::wstring dir = widen(tw::temp_dir());
    std::string other = tw::temp_dir() + "\\elsewhere.txt";
    auto tmp = journal_tmp_dir(tw::temp_root(), run);
    fs::create_directories(fs::path(widen(tmp->substr(4))));
    write_file(other, journal_header(run_capability_sid(run)) + "\ndir\t" + *tmp + "\n");
    std::string journal = narrow(dir) + "\\" + run + ".journal";
    REQUIRE(CreateHardLinkW(widen(journal).c_str(), widen(other).c_str(), nullptr));
    auto report = replay_stale_journals(dir);
    CHECK(report.rejected == 1);
    CHECK(report.journals == 0);
    REQUIRE_FALSE(report.errors.empty());
    CHECK(report.errors[0].find("hard links") != std::string::npos);
    CHECK(fs::exists(fs::path(widen(tmp->substr(4)))));  // not executed
    CHECK(fs::exists(fs::path(widen(other))));           // the other name is untouched
}

TEST_CASE("a journal that is a link is refused") {
    // wine 8 reports a Unix symlink to a directory as a reparse point, but not
    // one to a file: the link here points at a directory so the name-based
    // check can be seen at all. On Windows the handle check sees file links too.
    if (!tw::under_wine()) return;
    std::string run = tw::fresh_run_id();
    std::wstring dir = widen(tw::temp_dir());
    std::string target = tw::temp_dir();
    write_file(target + "\\inside", "x");
    std::string name = narrow(dir) + "\\" + run + ".journal";
    REQUIRE(tw::plant_unix_symlink(target, name));
    auto report = replay_stale_journals(dir);
    CHECK(report.journals == 0);
    CHECK(report.rejected == 1);
    REQUIRE_FALSE(report.errors.empty());
    CHECK(report.errors[0].find("link") != std::string::npos);
    CHECK(fs::exists(fs::path(widen(target + "\\inside"))));
    CHECK(fs::exists(fs::path(widen(name))));  // left alone, reported at every start
}

TEST_CASE("only a live journal's labels count, a crashed run's journal never keeps a path Low") {
    std::wstring dir = widen(tw::temp_dir());
    const std::string live_path = "\\\\?\\C:\\work\\live";
    const std::string dead_path = "\\\\?\\C:\\work\\dead";
    std::string live_run = tw::fresh_run_id();
    auto live = AclJournal::create(dir, live_run, run_capability_sid(live_run));
    REQUIRE(live.ok());
    REQUIRE(live->record_label(widen(live_path), "S:(ML;;NW;;;ME)").ok());
    std::string dead_run = tw::fresh_run_id();
    write_file(
        narrow(dir) + "\\" + dead_run + ".journal",
        journal_header(run_capability_sid(dead_run)) + "\nlabel\t" + dead_path + "\tS:(ML;;NW;;;HI)\n");

    std::string self_run = tw::fresh_run_id();
    auto self = AclJournal::create(dir, self_run, run_capability_sid(self_run));
    REQUIRE(self.ok());
    auto from_live = self->original_label_for(widen(live_path));
    REQUIRE(from_live.ok());
    CHECK(*from_live == "S:(ML;;NW;;;ME)");
    // The dead journal is not consulted: the label is read from the file
    // (which under wine fails with access denied; on Windows it is the file's own).
    auto from_dead = self->original_label_for(widen(dead_path));
    CHECK((!from_dead.ok() || *from_dead != "S:(ML;;NW;;;HI)"));
}

TEST_CASE("console input queued during the run is discarded") {
    // A console of our own (ctest gives none, or one shared with the shell).
    UniqueHandle in(CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_EXISTING, 0, nullptr));
    if (!in.valid()) {
        AllocConsole();
        in.reset(CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             nullptr, OPEN_EXISTING, 0, nullptr));
    }
    if (!in.valid()) {
        MESSAGE("no console available: skipped");
        return;
    }
    FlushConsoleInputBuffer(in.get());
    // What a sandboxed command does to plant "calc\r" in the user's shell.
    std::vector<INPUT_RECORD> events;
    for (wchar_t c : std::wstring(L"calc\r")) {
        INPUT_RECORD r{};
        r.EventType = KEY_EVENT;
        r.Event.KeyEvent.bKeyDown = TRUE;
        r.Event.KeyEvent.wRepeatCount = 1;
        r.Event.KeyEvent.uChar.UnicodeChar = c;
        events.push_back(r);
        r.Event.KeyEvent.bKeyDown = FALSE;
        events.push_back(r);
    }
    DWORD written = 0;
    REQUIRE(WriteConsoleInputW(in.get(), events.data(), static_cast<DWORD>(events.size()), &written));
    DWORD queued = 0;
    REQUIRE(GetNumberOfConsoleInputEvents(in.get(), &queued));
    REQUIRE(queued == events.size());
    CHECK(flush_console_input() == 5);
    // Nothing of it is left for the shell to read. A console on a terminal
    // may queue its own events afterwards (size or focus changes; under wine
    // in a pty, keys its tty reader produced while the machine was loaded),
    // so only the planted keys count.
    std::vector<INPUT_RECORD> left(64);
    DWORD n = 0;
    REQUIRE(PeekConsoleInputW(in.get(), left.data(), static_cast<DWORD>(left.size()), &n));
    int planted = 0;
    std::string other;
    for (DWORD i = 0; i < n; ++i) {
        if (left[i].EventType != KEY_EVENT || !left[i].Event.KeyEvent.bKeyDown) continue;
        const wchar_t c = left[i].Event.KeyEvent.uChar.UnicodeChar;
        if (std::wstring(L"calc\r").find(c) != std::wstring::npos && c != 0) {
            ++planted;
        } else {
            other += " char " + std::to_string(static_cast<unsigned>(c)) + "/vk " +
                     std::to_string(static_cast<unsigned>(left[i].Event.KeyEvent.wVirtualKeyCode));
        }
    }
    if (!other.empty()) MESSAGE("other key presses queued after the flush (ignored):", other);
    CHECK(planted == 0);
}

TEST_CASE("SIGKILL of the launcher: journal kept, job child killed, replay at the next start") {
    if (!tw::under_wine()) return;
    const std::string run = tw::fresh_run_id();
    const std::string pidfile = tw::temp_dir() + "\\grandchild.pid";
    const std::string tmp = journal_tmp_dir(tw::temp_root(), run)->substr(4);
    const std::string journal = narrow(AclJournal::default_dir()) + "\\" + run + ".journal";

    // The launcher (this exe with --exec-tmp, i.e. mxc::platform::exec with a
    // {tmp}) runs a command that records its pid and sleeps.
    std::vector<std::string> argv = {tw::self_path(),   "--exec-tmp", run,    tw::self_path(),
                                     "--pidfile-sleep", pidfile,      "60000"};
    std::wstring cmd = widen(build_command_line(argv));
    STARTUPINFOW si{};
    si.cb = sizeof si;
    PROCESS_INFORMATION pi{};
    REQUIRE(CreateProcessW(widen(argv[0]).c_str(), cmd.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                           &si, &pi));
    UniqueHandle launcher(pi.hProcess), launcher_thread(pi.hThread);
    for (int i = 0; i < 300 && !fs::exists(pidfile); ++i) Sleep(100);
    REQUIRE(fs::exists(pidfile));
    Sleep(200);  // written before the command goes to sleep
    DWORD grandchild_pid = 0;
    std::ifstream(pidfile) >> grandchild_pid;
    REQUIRE(grandchild_pid != 0);
    UniqueHandle grandchild(OpenProcess(SYNCHRONIZE, FALSE, grandchild_pid));
    REQUIRE(grandchild.valid());
    CHECK(fs::exists(fs::path(widen(journal))));
    CHECK(fs::exists(fs::path(widen(tmp))));

    // A real SIGKILL of the launcher's wine process: no handler, no cleanup.
    REQUIRE(tw::unix_kill9_launcher(run));
    CHECK(WaitForSingleObject(launcher.get(), 10000) == WAIT_OBJECT_0);
    // Its job handle died with it: KILL_ON_JOB_CLOSE took the command along.
    CHECK(WaitForSingleObject(grandchild.get(), 10000) == WAIT_OBJECT_0);
    // Nothing was undone, and the journal says what to undo.
    CHECK(fs::exists(fs::path(widen(journal))));
    CHECK(fs::exists(fs::path(widen(tmp))));

    // The next start replays it.
    auto report = replay_stale_journals(AclJournal::default_dir());
    CHECK(report.journals >= 1);
    CHECK_FALSE(fs::exists(fs::path(widen(journal))));
    CHECK_FALSE(fs::exists(fs::path(widen(tmp))));
}

TEST_CASE("leftovers: the snapshot tells objects the run created from those that were there") {
    // wine stores no DACLs, so nothing is really reset here; what runs is the
    // walk (never through a link) and the file-id snapshot that decides what
    // "created during the run" means. The decision itself: leftover_security_test.
    std::string root = tw::temp_dir();
    write_file(root + "\\old.txt", "before the run");
    auto snapshot = LeftoverSnapshot::take({widen("\\\\?\\" + root)});
    CHECK(snapshot.size() == 2);  // the root and old.txt
    fs::create_directories(fs::path(widen(root + "\\new-dir")));
    write_file(root + "\\new-dir\\new.txt", "made by the run");
    // Backdating the creation time does not make a file "old".
    {
        UniqueHandle h(CreateFileW(widen(root + "\\new-dir\\new.txt").c_str(), FILE_WRITE_ATTRIBUTES, 0,
                                   nullptr, OPEN_EXISTING, 0, nullptr));
        FILETIME old_time{1, 0};
        SetFileTime(h.get(), &old_time, nullptr, nullptr);
    }
    auto report = snapshot.reset_new_objects(run_capability_sid(tw::fresh_run_id()));
    for (const auto& line : report.resets) CHECK(line.find("old.txt") == std::string::npos);
    CHECK(report.errors.empty());
    if (tw::under_wine()) {
        // wine synthesises a DACL of explicit ACEs from the mode bits, so every
        // new object qualifies (and the reset is accepted and dropped): exactly
        // the two the run made, the backdated file included.
        REQUIRE(report.objects == 2);
        CHECK(report.resets[0].find("new-dir") != std::string::npos);
        CHECK(report.resets[1].find("new.txt") != std::string::npos);
    }
}

TEST_CASE("leftovers: cost of the launch snapshot (MXC_TEST_BENCH=N files)") {
    const char* n_text = std::getenv("MXC_TEST_BENCH");
    if (!n_text) return;
    const int n = std::atoi(n_text);
    std::string root = tw::temp_dir();
    for (int d = 0; d < n / 100 + 1; ++d) {
        std::string dir = root + "\\d" + std::to_string(d);
        fs::create_directories(fs::path(widen(dir)));
        for (int f = 0; f < 100 && d * 100 + f < n; ++f) write_file(dir + "\\f" + std::to_string(f), "x");
    }
    auto t0 = GetTickCount64();
    auto snapshot = LeftoverSnapshot::take({widen("\\\\?\\" + root)});
    auto t1 = GetTickCount64();
    auto report = snapshot.reset_new_objects(run_capability_sid(tw::fresh_run_id()));
    auto t2 = GetTickCount64();
    MESSAGE(n << " files: snapshot " << (t1 - t0) << " ms (" << snapshot.size() << " objects), exit walk "
              << (t2 - t1) << " ms, " << report.objects << " reset");
    std::error_code ec;
    fs::remove_all(fs::path(widen(root)), ec);
}

TEST_CASE(
    "I1 probe: a symlink planted in the workspace is reported, and the plan grants nothing through it") {
    if (!tw::under_wine()) return;
    // Run 1 (write on the workspace) left ws\.git\hooks -> victim; run 2's
    // rule on ws\.git\hooks must not put an ACE on the victim.
    std::string victim = make_victim();
    std::string ws = tw::temp_dir();
    fs::create_directories(fs::path(widen(ws + "\\.git")));
    REQUIRE(tw::plant_unix_symlink(victim, ws + "\\.git\\hooks"));
    auto policy = tw::test_policy();
    policy.workspace = ws;
    policy.paths.push_back(mxc::policy::PathRule{ws, mxc::policy::Access::Write, {}});
    policy.paths.push_back(mxc::policy::PathRule{ws + "\\.git\\hooks", mxc::policy::Access::Read, {}});
    policy.paths.push_back(mxc::policy::PathRule{ws + "\\.git\\hooks\\sub", mxc::policy::Access::Deny, {}});
    WindowsHostFacts facts;
    facts.run_id = tw::fresh_run_id();
    probe_path_facts(policy, facts);
    REQUIRE(facts.path_facts.size() == 2);  // the read and the deny rule; the workspace has no link
    CHECK(facts.path_facts[0].link == "\\\\?\\" + ws + "\\.git\\hooks");
    CHECK_FALSE(facts.temp_dir.empty());
    CHECK(facts.private_dirs.size() == 2);  // %LOCALAPPDATA%\mxc and this exe's directory
    auto plan = compile_windows_plan(policy, facts);
    std::vector<std::string> warnings;
    for (const auto& v : plan.verdicts)
        if (v.severity == mxc::platform::Severity::Warning) warnings.push_back(v.message());
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find(".git\\hooks") != std::string::npos);
    for (const auto& g : plan.acl) {
        CHECK(g.path.find("victim") == std::string::npos);
        if (g.access == mxc::policy::Access::Deny) {
            CHECK(g.on_link_itself);
            CHECK(g.path == "\\\\?\\" + ws + "\\.git\\hooks");
        }
    }
}
