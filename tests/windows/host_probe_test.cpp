// What probe_host reports. Under wine 8 the answers are known exactly, and the
// test pins them so a wine (or mxc) change that alters them is noticed.
#include <doctest/doctest.h>

#include <algorithm>

#include "platform/platform.hpp"
#include "platform/windows/apply/host_probe.hpp"
#include "support.hpp"

using namespace mxc::platform;

namespace {
const Capability* cap(const std::vector<Capability>& caps, const std::string& name) {
    auto it = std::find_if(caps.begin(), caps.end(), [&](const Capability& c) { return c.name == name; });
    return it == caps.end() ? nullptr : &*it;
}
}  // namespace

TEST_CASE("platform name is windows") {
    CHECK(std::string(platform_name()) == "windows");
}

TEST_CASE("probe_host lists every Windows capability") {
    auto caps = probe_host();
    for (const char* n :
         {"windows_build", "appcontainer", "restricted_token", "job_objects", "wfp", "private_desktop"})
        CHECK_MESSAGE(cap(caps, n) != nullptr, n);
}

TEST_CASE("wine 8: WFP unavailable with error 1764, no AppContainer API, restricted tokens work") {
    if (!mxc::test::win::under_wine()) return;
    auto probe = win::probe_windows_host();
    CHECK_FALSE(probe.facts.wfp_available);
    CHECK(probe.facts.wfp_error == 1764);
    CHECK_FALSE(probe.facts.appcontainer_supported);
    CHECK(probe.token_problem.empty());
    CHECK_FALSE(probe.facts.user_sid.empty());

    auto caps = probe_host();
    REQUIRE(cap(caps, "wfp") != nullptr);
    CHECK_FALSE(cap(caps, "wfp")->available);
    CHECK(cap(caps, "wfp")->detail.find("(error 1764)") != std::string::npos);
    CHECK_FALSE(cap(caps, "appcontainer")->available);
    CHECK(cap(caps, "restricted_token")->available);
}

TEST_CASE("real Windows: WFP is either open (elevated) or access denied") {
    if (mxc::test::win::under_wine()) return;
    auto probe = win::probe_windows_host();
    CHECK((probe.facts.wfp_error == 0 || probe.facts.wfp_error == 5));
    CHECK(probe.facts.os_build > 0);
}

TEST_CASE("run ids are 32 random hex digits") {
    auto a = win::random_run_id();
    auto b = win::random_run_id();
    CHECK(a.size() == 32);
    CHECK(a != b);
}
