// Data-driven: every tests/data/invalid/NAME.toml must be refused, and its
// first diagnostic must equal NAME.expected (paths shown relative to that
// directory so the expectation does not depend on where the tree lives).
// Every tests/data/valid/*.toml must pass.
//
// MXC_UPDATE_EXPECTED=1 rewrites the .expected files from the current output;
// review the diff before committing it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "policy/policy.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kData = MXC_TEST_DATA_DIR;

std::vector<fs::path> profiles_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".toml") out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
    return text;
}

std::string read_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

TEST_CASE("the invalid corpus holds at least 40 profiles, each with an expectation") {
    auto all = profiles_in(kData / "invalid");
    CHECK(all.size() >= 40);
    for (const auto& p : all) {
        fs::path expected = p;
        expected.replace_extension(".expected");
        CHECK_MESSAGE(fs::exists(expected), expected.string());
    }
}

TEST_CASE("every invalid profile is refused with its expected first diagnostic") {
    const bool update = std::getenv("MXC_UPDATE_EXPECTED") != nullptr;
    const std::string prefix = (kData / "invalid").string() + "/";
    for (const auto& p : profiles_in(kData / "invalid")) {
        CAPTURE(p.filename().string());
        auto diagnostics = mxc::policy::check_profile(p.string());
        REQUIRE_FALSE(diagnostics.empty());
        std::string actual = replace_all(diagnostics.front().to_string(), prefix, "");
        fs::path expected = p;
        expected.replace_extension(".expected");
        if (update) std::ofstream(expected) << actual << "\n";
        CHECK(actual == read_line(expected));
    }
}

TEST_CASE("every valid profile passes check") {
    for (const auto& dir : {kData / "valid", kData / "valid" / "nested"}) {
        for (const auto& p : profiles_in(dir)) {
            CAPTURE(p.string());
            for (const auto& d : mxc::policy::check_profile(p.string())) FAIL_CHECK(d.to_string());
        }
    }
}
