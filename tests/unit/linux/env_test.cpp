#include <doctest/doctest.h>

#include <algorithm>

#include "platform/linux/plan/plan.hpp"

using namespace mxc::lnx;
using mxc::policy::EnvRules;

namespace {
EnvRules rules(std::vector<std::string> pass, std::vector<std::string> deny = {}) {
    EnvRules r;
    for (auto& p : pass) r.pass.push_back({p, {}});
    for (auto& d : deny) r.deny.push_back({d, {}});
    return r;
}
bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}
}  // namespace

TEST_CASE("only passed variables reach the command") {
    auto env = compile_env(rules({"PATH"}), {"PATH=/bin", "SECRET=x"}, "id");
    CHECK(has(env, "PATH=/bin"));
    CHECK_FALSE(has(env, "SECRET=x"));
}

TEST_CASE("pass globs match like fnmatch") {
    auto env = compile_env(rules({"LC_*"}), {"LC_ALL=C", "LC_TIME=x", "LANG=C"}, "id");
    CHECK(has(env, "LC_ALL=C"));
    CHECK(has(env, "LC_TIME=x"));
    CHECK_FALSE(has(env, "LANG=C"));
}

TEST_CASE("deny beats pass") {
    auto env = compile_env(rules({"*"}, {"*_TOKEN", "AWS_*"}), {"GH_TOKEN=t", "AWS_KEY=k", "HOME=/h"}, "id");
    CHECK(has(env, "HOME=/h"));
    CHECK_FALSE(has(env, "GH_TOKEN=t"));
    CHECK_FALSE(has(env, "AWS_KEY=k"));
}

TEST_CASE("set values are added and override passed ones, deny does not remove them") {
    EnvRules r = rules({"CI"}, {"CI"});
    r.set["CI"] = {"true", {}};
    auto env = compile_env(r, {"CI=false"}, "id");
    CHECK(has(env, "CI=true"));
    CHECK_FALSE(has(env, "CI=false"));
}

TEST_CASE("MXC_SESSION_ID is always set and cannot be overridden") {
    EnvRules r = rules({"*"});
    r.set["MXC_SESSION_ID"] = {"fake", {}};
    auto env = compile_env(r, {"MXC_SESSION_ID=spoof"}, "real");
    CHECK(has(env, "MXC_SESSION_ID=real"));
    CHECK(std::count_if(env.begin(), env.end(),
                        [](const std::string& e) { return e.rfind("MXC_SESSION_ID=", 0) == 0; }) == 1);
}

TEST_CASE("values keep '=' and bytes exactly, the first duplicate wins") {
    auto env = compile_env(rules({"A"}), {"A=x=y\xff", "A=second"}, "id");
    CHECK(has(env, "A=x=y\xff"));
    CHECK_FALSE(has(env, "A=second"));
}

TEST_CASE("an empty pass list gives only MXC_SESSION_ID") {
    auto env = compile_env(rules({}), {"PATH=/bin"}, "id");
    REQUIRE(env.size() == 1);
    CHECK(env[0] == "MXC_SESSION_ID=id");
}
