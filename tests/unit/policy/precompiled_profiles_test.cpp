#include <doctest/doctest.h>

#include "policy/builtins.hpp"
#include "policy/load.hpp"
#include "policy/precompiled_profiles.hpp"

using namespace mxc::policy;

TEST_CASE("every built-in profile parsed at build time equals a parse of its text now") {
    const auto table = precompiled_profiles();
    // A native build always has the table (only cross builds go without).
    CHECK(table.size() == embedded_profiles().size());
    for (const auto& p : embedded_profiles()) {
        const std::string name(p.name);
        CAPTURE(name);
        const PrecompiledProfile* entry = nullptr;
        for (const auto& t : table) {
            if (t.name == p.name) entry = &t;
        }
        REQUIRE(entry != nullptr);
        const LoadedProfile parsed = load_profile_text(without_comments(p.text), "builtin:" + name, "", true);
        REQUIRE(parsed.parsed);
        CHECK(parsed.diagnostics.empty());
        CHECK(entry->make() == parsed.raw);
    }
}

TEST_CASE("the comparison the check above relies on sees a changed field") {
    const auto table = precompiled_profiles();
    REQUIRE_FALSE(table.empty());
    RawProfile a = table[0].make();
    RawProfile b = a;
    CHECK(a == b);
    REQUIRE_FALSE(b.fs_read.empty());
    b.fs_read.back().origin.col += 1;
    CHECK_FALSE(a == b);
}
