// The ACL journal is replayed at every start with the user's full rights, so
// each line is hostile input: only what this run itself could have written is
// accepted, and a journal with one bad line is refused whole.
#include <doctest/doctest.h>

#include "platform/windows/plan/journal_format.hpp"
#include "platform/windows/plan/windows_plan.hpp"

using namespace mxc::platform::win;

namespace {

const std::string kRun = "0123456789abcdef0123456789abcdef";
const std::string kTemp = "C:\\Users\\u\\AppData\\Local\\Temp\\";
const std::string kTmpDir = "\\\\?\\C:\\Users\\u\\AppData\\Local\\Temp\\mxc-" + kRun;

JournalExpectations expect() {
    return JournalExpectations{kRun, kTemp};
}

std::string journal(const std::string& body) {
    return journal_header(run_capability_sid(kRun)) + "\n" + body;
}

std::string refusal(const std::string& text) {
    auto r = parse_journal(text, expect());
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

}  // namespace

TEST_CASE("journal: what mxc writes parses back") {
    std::string text =
        journal("dir\t" + kTmpDir + "\n" + "ace\t\\\\?\\C:\\work\\proj\n" +
                "label\t\\\\?\\C:\\work\\proj\t\n" + "label\t\\\\?\\C:\\work\\other\tS:(ML;OICI;NW;;;ME)\n" +
                "appcontainer\tmxc.0123456789abcdef." + kRun + "\r\n");
    auto r = parse_journal(text, expect());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    REQUIRE(r->size() == 5);
    CHECK((*r)[0].op == JournalOp::Dir);
    CHECK((*r)[1].target == "\\\\?\\C:\\work\\proj");
    CHECK((*r)[2].label.empty());
    CHECK((*r)[3].label == "S:(ML;OICI;NW;;;ME)");
    CHECK((*r)[4].op == JournalOp::AppContainer);
}

TEST_CASE("journal: an empty file (crash before the header was flushed) is nothing to do") {
    auto r = parse_journal("", expect());
    REQUIRE(r.ok());
    CHECK(r->empty());
}

TEST_CASE("journal: the header must carry the SID derived from the file's run id") {
    CHECK(refusal("mxc-journal 1\tWD\n").find("header") != std::string::npos);
    CHECK(refusal("mxc-journal 1\tS-1-1-0\n").find("header") != std::string::npos);
    CHECK(refusal(journal_header(run_capability_sid("ffffffffffffffff")) + "\n").find("header") !=
          std::string::npos);
    CHECK(refusal("garbage\n").find("header") != std::string::npos);
}

TEST_CASE("journal: the file name must be a run id") {
    const std::vector<std::string> bad_ids = {
        "", "abc", "..\\..\\x", "0123456789ABCDEF", std::string(65, 'a'), "0123456789abcdeg"};
    for (const auto& bad : bad_ids) {
        auto r = parse_journal("", JournalExpectations{bad, kTemp});
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("journal: dir may only name this run's {tmp}") {
    CHECK(refusal(journal("dir\t\\\\?\\C:\\\n")).find("not this run's {tmp}") != std::string::npos);
    CHECK(refusal(journal("dir\t\\\\?\\C:\\Users\\u\n")).find("{tmp}") != std::string::npos);
    CHECK(refusal(journal("dir\tC:\\Users\\u\\AppData\\Local\\Temp\\mxc-" + kRun + "\\..\\..\n")).size() > 0);
    // Another run's {tmp}.
    CHECK(refusal(journal("dir\t\\\\?\\C:\\Users\\u\\AppData\\Local\\Temp\\mxc-ffffffffffffffff\n")).size() >
          0);
    // Case differences are the same directory on NTFS.
    std::string upper = "\\\\?\\C:\\USERS\\U\\AppData\\Local\\Temp\\mxc-" + kRun;
    CHECK(parse_journal(journal("dir\t" + upper + "\n"), expect()).ok());
}

TEST_CASE("journal: labels only in the form mxc records") {
    auto label = [](const std::string& sddl) {
        return parse_journal(journal("label\t\\\\?\\C:\\work\t" + sddl + "\n"), expect()).ok();
    };
    CHECK(label(""));
    CHECK(label("S:(ML;;NW;;;ME)"));
    CHECK(label("S:AI(ML;OICIID;NWNR;;;HI)"));
    CHECK(label("S:(ML;;NW;;;S-1-16-8192)"));
    // Lowering is what the sandbox would want: never an "original".
    CHECK_FALSE(label("S:(ML;OICI;NW;;;LW)"));
    CHECK_FALSE(label("S:(ML;;NW;;;S-1-16-4096)"));
    CHECK_FALSE(label("S:(ML;;NW;;;S-1-16-0)"));
    // Anything but a label ACE: audit ACEs, DACLs, owners, garbage.
    CHECK_FALSE(label("D:(A;;FA;;;WD)"));
    CHECK_FALSE(label("O:WDG:WDD:(A;;FA;;;WD)"));
    CHECK_FALSE(label("S:(AU;SA;FA;;;WD)"));
    CHECK_FALSE(label("S:(ML;;NW;;;ME)(A;;FA;;;WD)"));
    CHECK_FALSE(label("S:(ML;;FA;;;ME)"));
    CHECK_FALSE(label("S:(ML;;NW;;;ME"));
    CHECK_FALSE(label("S:"));
}

TEST_CASE("journal: paths must be canonical \\\\?\\ paths") {
    CHECK_FALSE(parse_journal(journal("ace\tC:\\work\n"), expect()).ok());
    CHECK_FALSE(parse_journal(journal("ace\t\\\\?\\C:\\work\\..\\..\\Windows\n"), expect()).ok());
    CHECK_FALSE(parse_journal(journal("ace\t\\\\.\\PhysicalDrive0\n"), expect()).ok());
    CHECK_FALSE(parse_journal(journal("ace\t\\\\?\\C:\\work\\f:stream\n"), expect()).ok());
    CHECK(parse_journal(journal("ace\t\\\\?\\C:\\work\n"), expect()).ok());
}

TEST_CASE("journal: unknown lines, extra fields, NUL bytes and oversize files refuse the whole journal") {
    CHECK(refusal(journal("run\tcmd.exe /c calc\n")).find("line 2") != std::string::npos);
    CHECK_FALSE(parse_journal(journal("ace\t\\\\?\\C:\\work\textra\n"), expect()).ok());
    CHECK_FALSE(parse_journal(journal(std::string("ace\t\\\\?\\C:\\work\0\n", 17)), expect()).ok());
    std::string big = journal(std::string(kJournalMaxBytes, '\n'));
    CHECK(refusal(big).find("larger") != std::string::npos);
    // One good line before a bad one does not get executed either.
    CHECK_FALSE(parse_journal(journal("dir\t" + kTmpDir + "\nbogus\n"), expect()).ok());
}

TEST_CASE("journal: AppContainer lines name only this run's container") {
    CHECK_FALSE(parse_journal(journal("appcontainer\tmxc.0123456789abcdef\n"), expect()).ok());
    CHECK_FALSE(
        parse_journal(journal("appcontainer\tMicrosoft.WindowsCalculator_8wekyb3d8bbwe\n"), expect()).ok());
    CHECK_FALSE(
        parse_journal(journal("appcontainer\tmxc.0123456789abcdef.ffffffffffffffffffffffffffffffff\n"),
                      expect())
            .ok());
    CHECK(per_run_container_name("mxc.0123456789abcdef", kRun) == "mxc.0123456789abcdef." + kRun);
    CHECK(per_run_container_name("mxc.0123456789abcdef", kRun + kRun).size() <= 64);
}
