// The build-time seccomp table (seccomp_precompiled.hpp): every filter a
// built-in profile or the connect broker loads is in it, and each entry is
// byte for byte what libseccomp compiles now from the same plan, so a stale
// table (a rule or a profile changed without regenerating) fails here. A
// plan outside the table is compiled at run time, exactly as before.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "platform/linux/apply/broker_filter.hpp"
#include "platform/linux/apply/seccomp_filter.hpp"
#include "platform/linux/apply/seccomp_precompiled.hpp"
#include "policy/policy.hpp"

namespace {

using mxc::lnx::BpfCode;

bool same(std::span<const sock_filter> a, std::span<const sock_filter> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const sock_filter& x, const sock_filter& y) {
        return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
    });
}

mxc::lnx::SeccompPlan builtin_plan(const std::string& name) {
    const mxc::policy::ResolveContext ctx{"/workspace", "/home/user", "/tmp/mxc", "/workspace",
                                          {},           nullptr,      {}};
    auto policy = mxc::policy::load_policy(name, {}, ctx);
    REQUIRE_MESSAGE(policy.ok(), name);
    return mxc::lnx::compile_seccomp(*policy);
}

constexpr std::pair<bool, bool> kBrokerVariants[] = {{true, false}, {true, true}, {false, true}};

}  // namespace

TEST_CASE("every built-in profile's filter is precompiled, equal to libseccomp's output now") {
    REQUIRE_FALSE(mxc::policy::builtin_profiles().empty());
    for (const auto& profile : mxc::policy::builtin_profiles()) {
        CAPTURE(profile.name);
        const auto plan = builtin_plan(profile.name);
        const auto table = mxc::lnx::find_precompiled(mxc::lnx::seccomp_key(plan));
        REQUIRE_FALSE(table.empty());
        auto now = mxc::lnx::compile_seccomp_bpf(plan);
        REQUIRE(now.ok());
        CHECK(same(table, *now));
        auto program = mxc::lnx::seccomp_program(plan);
        REQUIRE(program.ok());
        CHECK(program->precompiled());
        CHECK(program->code().data() == table.data());
    }
}

TEST_CASE("every connect broker / learning filter is precompiled, equal to libseccomp's output now") {
    for (const auto& variant : kBrokerVariants) {
        // Plain variables: clang (clang-tidy) cannot capture structured
        // bindings in CAPTURE's lambda.
        const bool network = variant.first;
        const bool learning = variant.second;
        CAPTURE(network);
        CAPTURE(learning);
        const auto table = mxc::lnx::find_precompiled(mxc::lnx::broker_key(network, learning));
        REQUIRE_FALSE(table.empty());
        auto now = mxc::lnx::compile_broker_bpf(network, learning);
        REQUIRE(now.ok());
        CHECK(same(table, *now));
        auto program = mxc::lnx::broker_program(network, learning);
        REQUIRE(program.ok());
        CHECK(program->precompiled());
    }
}

TEST_CASE("the table holds nothing else (no entry left from an old rule set)") {
    std::set<std::string> expected;
    for (const auto& profile : mxc::policy::builtin_profiles())
        expected.insert(mxc::lnx::seccomp_key(builtin_plan(profile.name)));
    for (auto [network, learning] : kBrokerVariants) expected.insert(mxc::lnx::broker_key(network, learning));
    for (const auto& f : mxc::lnx::precompiled_filters()) CHECK(expected.count(std::string(f.key)) == 1);
    CHECK(mxc::lnx::precompiled_filters().size() == expected.size());
}

TEST_CASE("a plan outside the table is compiled at run time, as libseccomp compiles it") {
    mxc::policy::ResolvedPolicy policy;
    policy.seccomp.allow.push_back({"ptrace", {}});
    const auto plan = mxc::lnx::compile_seccomp(policy);
    CHECK(mxc::lnx::find_precompiled(mxc::lnx::seccomp_key(plan)).empty());
    auto program = mxc::lnx::seccomp_program(plan);
    REQUIRE(program.ok());
    CHECK_FALSE(program->precompiled());
    auto now = mxc::lnx::compile_seccomp_bpf(plan);
    REQUIRE(now.ok());
    CHECK(same(program->code(), *now));
    // And it is a different filter from the default one (ptrace is allowed).
    auto fallback_default = mxc::lnx::compile_seccomp_bpf(mxc::lnx::compile_seccomp({}));
    REQUIRE(fallback_default.ok());
    CHECK_FALSE(same(*now, *fallback_default));
}

TEST_CASE("the key covers what libseccomp is given: syscall, argument tests and errno") {
    const auto base = mxc::lnx::compile_seccomp({});
    REQUIRE_FALSE(base.denied.empty());
    const std::string key = mxc::lnx::seccomp_key(base);
    auto changed = base;
    changed.denied.back().errno_value = EACCES;
    CHECK(mxc::lnx::seccomp_key(changed) != key);
    changed = base;
    for (auto& r : changed.denied) {
        if (!r.args.empty()) {
            r.args.front().value ^= 1;
            break;
        }
    }
    CHECK(mxc::lnx::seccomp_key(changed) != key);
    changed = base;
    changed.denied.back().syscall = "ptrace";
    CHECK(mxc::lnx::seccomp_key(changed) != key);
    // Prose does not change the program.
    changed = base;
    changed.denied.back().condition = "reworded";
    changed.denied.back().group = "renamed";
    CHECK(mxc::lnx::seccomp_key(changed) == key);
    CHECK(mxc::lnx::broker_key(true, false) != mxc::lnx::broker_key(true, true));
    CHECK(mxc::lnx::broker_key(false, true) != mxc::lnx::broker_key(true, true));
}
