// Job objects as mxc configures them. Under wine 8, KILL_ON_JOB_CLOSE works
// and ACTIVE_PROCESS is accepted but not enforced; the tests pin both.
#include <doctest/doctest.h>

#include <windows.h>

#include "platform/windows/apply/job_object.hpp"
#include "platform/windows/plan/command_line.hpp"
#include "platform/windows/plan/win_constants.hpp"
#include "support.hpp"

using namespace mxc::platform::win;

namespace {

// Starts this exe with `args`, suspended, not inheriting anything.
UniqueHandle start_suspended(const std::vector<std::string>& args, UniqueHandle& thread) {
    std::vector<std::string> argv = {mxc::test::win::self_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::wstring cmd = widen(build_command_line(argv));
    STARTUPINFOW si{};
    si.cb = sizeof si;
    PROCESS_INFORMATION pi{};
    REQUIRE(CreateProcessW(widen(argv[0]).c_str(), cmd.data(), nullptr, nullptr, FALSE, CREATE_SUSPENDED,
                           nullptr, nullptr, &si, &pi));
    thread.reset(pi.hThread);
    return UniqueHandle(pi.hProcess);
}

JobSpec basic_spec() {
    JobSpec s;
    s.limit_flags = k::kJobLimitKillOnJobClose | k::kJobLimitDieOnUnhandledException;
    return s;
}

}  // namespace

TEST_CASE("closing the job kills its processes (KILL_ON_JOB_CLOSE)") {
    std::vector<std::pair<std::string, std::string>> problems;
    UniqueHandle thread;
    UniqueHandle proc = start_suspended({"--sleep", "30000"}, thread);
    {
        auto job = JobObject::create(basic_spec(), problems);
        REQUIRE(job.ok());
        REQUIRE(job->assign(proc.get()).ok());
        ResumeThread(thread.get());
        CHECK(WaitForSingleObject(proc.get(), 200) == WAIT_TIMEOUT);
    }
    CHECK(WaitForSingleObject(proc.get(), 10000) == WAIT_OBJECT_0);
}

TEST_CASE("TerminateJobObject sets the exit code mxc asks for") {
    std::vector<std::pair<std::string, std::string>> problems;
    auto job = JobObject::create(basic_spec(), problems);
    REQUIRE(job.ok());
    UniqueHandle thread;
    UniqueHandle proc = start_suspended({"--sleep", "30000"}, thread);
    REQUIRE(job->assign(proc.get()).ok());
    ResumeThread(thread.get());
    job->terminate(124);
    REQUIRE(WaitForSingleObject(proc.get(), 10000) == WAIT_OBJECT_0);
    DWORD code = 0;
    GetExitCodeProcess(proc.get(), &code);
    CHECK(code == 124);
}

TEST_CASE("every limit mxc plans is accepted by SetInformationJobObject") {
    JobSpec s = basic_spec();
    s.limit_flags |= k::kJobLimitActiveProcess | k::kJobLimitJobMemory | k::kJobLimitProcessTime;
    s.active_process_limit = 8;
    s.job_memory_limit = 512ULL << 20;
    s.per_process_user_time_100ns = 600LL * 10000000;
    s.ui_restrictions = 0xFF;
    std::vector<std::pair<std::string, std::string>> problems;
    auto job = JobObject::create(s, problems);
    REQUIRE(job.ok());
    CHECK(problems.empty());
}

TEST_CASE("ACTIVE_PROCESS: enforced on Windows, not enforced by wine 8") {
    JobSpec s = basic_spec();
    s.limit_flags |= k::kJobLimitActiveProcess;
    s.active_process_limit = 1;
    std::vector<std::pair<std::string, std::string>> problems;
    auto job = JobObject::create(s, problems);
    REQUIRE(job.ok());
    UniqueHandle t1, t2;
    UniqueHandle p1 = start_suspended({"--sleep", "30000"}, t1);
    UniqueHandle p2 = start_suspended({"--sleep", "30000"}, t2);
    REQUIRE(job->assign(p1.get()).ok());
    bool second_admitted = job->assign(p2.get()).ok();
    job->terminate(1);
    TerminateProcess(p2.get(), 1);
    if (mxc::test::win::under_wine()) {
        CHECK(second_admitted);
    } else {
        CHECK_FALSE(second_admitted);
    }
}
