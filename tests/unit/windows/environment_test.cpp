#include <doctest/doctest.h>

#include "platform/windows/plan/environment.hpp"

using namespace mxc;
using namespace mxc::platform::win;

namespace {
policy::EnvRules rules(std::vector<std::string> pass, std::vector<std::string> deny,
                       std::map<std::string, std::string> set = {}) {
    policy::EnvRules r;
    for (auto& p : pass) r.pass.push_back({p, {}});
    for (auto& d : deny) r.deny.push_back({d, {}});
    for (auto& [k, v] : set) r.set[k] = {v, {}};
    return r;
}
}  // namespace

TEST_CASE("names match case-insensitively, as Windows does") {
    auto env = build_child_environment(rules({"PATH"}, {}), {{"Path", "C:\\Windows"}}, {});
    CHECK(env == EnvList{{"Path", "C:\\Windows"}});
}

TEST_CASE("deny globs beat pass, set beats deny, extra beats everything") {
    auto env = build_child_environment(
        rules({"*"}, {"*_TOKEN", "AWS_*"}, {{"GH_TOKEN", "x"}}),
        {{"GITHUB_TOKEN", "s"}, {"AWS_KEY", "k"}, {"HOME", "h"}, {"MXC_SESSION_ID", "old"}},
        {{"MXC_SESSION_ID", "new"}});
    CHECK(env == EnvList{{"GH_TOKEN", "x"}, {"HOME", "h"}, {"MXC_SESSION_ID", "new"}});
}

TEST_CASE("SystemRoot and friends pass unless denied") {
    EnvList caller = {
        {"SystemRoot", "C:\\Windows"}, {"COMSPEC", "C:\\Windows\\system32\\cmd.exe"}, {"SECRET", "1"}};
    CHECK(build_child_environment(rules({}, {}), caller, {}) ==
          EnvList{{"COMSPEC", "C:\\Windows\\system32\\cmd.exe"}, {"SystemRoot", "C:\\Windows"}});
    CHECK(build_child_environment(rules({}, {"SYSTEMROOT"}), caller, {}) ==
          EnvList{{"COMSPEC", "C:\\Windows\\system32\\cmd.exe"}});
}

TEST_CASE("per-drive current directory entries are never passed") {
    CHECK(build_child_environment(rules({"*"}, {}), {{"=C:", "C:\\x"}}, {}).empty());
}

TEST_CASE("glob matching") {
    CHECK(env_glob_match("LC_*", "lc_all"));
    CHECK(env_glob_match("*_SECRET*", "MY_SECRET_KEY"));
    CHECK(env_glob_match("A?C", "abc"));
    CHECK_FALSE(env_glob_match("LC_*", "LANG"));
}
