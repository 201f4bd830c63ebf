#pragma once
// argv[0] -> the executable CreateProcess should start, searched in the
// sandbox's PATH (not mxc's), like CreateProcess would but without its
// current-directory-first rule (a planted foo.exe in the workspace must not
// win over the real one).
#include <string>

#include "platform/windows/plan/environment.hpp"

namespace mxc::platform::win {

struct LookupResult {
    enum class Kind { Found, NotFound, NotExecutable } kind = Kind::NotFound;
    std::wstring path;
    std::string reason;  // for NotExecutable
};

LookupResult find_executable(const std::string& argv0, const EnvList& child_env);

}  // namespace mxc::platform::win
