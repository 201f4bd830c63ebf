#pragma once
// CLI11 for the one file that builds the parser (main.cpp). CLI11 includes
// <iostream>, which in libstdc++ before GCC 13 gives the including file a
// static std::ios_base::Init: the standard streams and the classic locale set
// up before main, 0.3-0.6 ms of every mxc start (docs/performance.md), for
// streams only help, --version and CLI11's exit() print to. Declaring those
// streams the way <iostream> does, without its guard's body, leaves them to
// print_to_standard_streams() (main.cpp), which sets them up when one of
// those paths needs them. Nothing else in mxc uses the standard streams.
#include <istream>
#include <ostream>

#if defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE < 13 && !defined(_GLIBCXX_IOSTREAM)
#define _GLIBCXX_IOSTREAM 1  // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
namespace std {              // NOLINT(cert-dcl58-cpp): the declarations <iostream> makes
extern istream cin;
extern ostream cout;
extern ostream cerr;
extern ostream clog;
}  // namespace std
#endif

#include <CLI/CLI.hpp>
