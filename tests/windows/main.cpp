// mxc_windows_tests.exe: doctest cases that exercise the Windows applier for
// real (under wine in CI). The exe doubles as its own helper child:
//   --print-argv ARGS...   print each argument on its own line ("<" ">" framed)
//   --sleep MS             sleep, then exit 0
//   --exit N               exit with N
//   --stderr TEXT          write TEXT to stderr
//   --print-env NAME       print the variable's value, or "(unset)"
//   --exec ARGS...         mxc::platform::exec(test policy, ARGS), exit with its status
//   --proxy-connect H:P    CONNECT H:P through $HTTP_PROXY, print the answer
//   --exec-tmp RUN ARGS... like --exec, with run id RUN and {tmp} = %TEMP%\mxc-RUN
//   --pidfile-sleep F MS   write this process's id to F, then sleep MS
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

int helper(const std::vector<std::string>& args) {
    const std::string& mode = args[1];
    if (mode == "--print-argv") {
        for (std::size_t i = 2; i < args.size(); ++i) std::printf("<%s>\n", args[i].c_str());
        return 0;
    }
    if (mode == "--sleep") {
        Sleep(static_cast<DWORD>(std::atoi(args.at(2).c_str())));
        return 0;
    }
    if (mode == "--exit") return std::atoi(args.at(2).c_str());
    if (mode == "--print-env") {
        const char* v = std::getenv(args.at(2).c_str());
        std::printf("%s\n", v ? v : "(unset)");
        return 0;
    }
    if (mode == "--stderr") {
        std::fprintf(stderr, "%s\n", args.at(2).c_str());
        return 0;
    }
    if (mode == "--proxy-connect") return mxc::test::win::proxy_connect_helper(args.at(2));
    if (mode == "--exec-tmp") {
        std::vector<std::string> argv(args.begin() + 3, args.end());
        return mxc::test::win::exec_with_tmp(args.at(2), argv);
    }
    if (mode == "--pidfile-sleep") {
        if (FILE* f = std::fopen(args.at(2).c_str(), "wb")) {
            std::fprintf(f, "%lu", static_cast<unsigned long>(GetCurrentProcessId()));
            std::fclose(f);
        }
        Sleep(static_cast<DWORD>(std::atoi(args.at(3).c_str())));
        return 0;
    }
    if (mode == "--exec") {
        std::vector<std::string> argv(args.begin() + 2, args.end());
        return mxc::test::win::exec_with_test_policy(argv);
    }
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    // UTF-8 argv from the wide command line (argv is in the ANSI code page).
    auto args = mxc::test::win::wide_args();
    if (args.size() >= 2 && args[1].rfind("--", 0) == 0 && args[1] != "--help" &&
        (args[1] == "--print-argv" || args[1] == "--sleep" || args[1] == "--exit" || args[1] == "--stderr" ||
         args[1] == "--print-env" || args[1] == "--exec" || args[1] == "--proxy-connect" ||
         args[1] == "--exec-tmp" || args[1] == "--pidfile-sleep")) {
        return helper(args);
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
