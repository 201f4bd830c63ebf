#include "state_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "policy/writable_areas.hpp"
#include "support/process.hpp"

namespace mxc::test {

namespace {

bool in_shared_temp_dir(const std::filesystem::path& path) {
    std::error_code ec;
    const std::string real = std::filesystem::weakly_canonical(path, ec).string();
    for (std::string_view dir : mxc::policy::kSharedTempDirs) {
        for (const std::string& p : {path.string(), real}) {
            if (p.compare(0, dir.size(), dir) == 0 && (p.size() == dir.size() || p[dir.size()] == '/'))
                return true;
        }
    }
    return false;
}

std::filesystem::path base_dir() {
    const std::filesystem::path build = MXC_TEST_BUILD_DIR;
    if (!in_shared_temp_dir(build)) return build;
    if (::geteuid() == 0) return "/var/lib/mxc-tests";
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') throw std::runtime_error("StateDir: HOME is not set");
    return std::filesystem::path(home) / ".local/state/mxc-tests";
}

}  // namespace

StateDir::StateDir() {
    const std::filesystem::path base = base_dir();
    if (base != std::filesystem::path(MXC_TEST_BUILD_DIR)) {
        fallback_base_ = base.string();
        std::filesystem::create_directories(base);
        // The test identity must reach its own directory inside.
        if (::chmod(base.c_str(), 0755) != 0) throw std::runtime_error("StateDir: chmod failed");
    }
    std::string tmpl = (base / "state-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("StateDir: mkdtemp failed");
    path_ = tmpl;
    if (::chown(path_.c_str(), test_uid(), test_gid()) != 0)
        throw std::runtime_error("StateDir: chown failed");
}

StateDir::~StateDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    // Leave the host as it was; while another test still uses it, rmdir fails
    // and that test removes it.
    if (!fallback_base_.empty()) ::rmdir(fallback_base_.c_str());
}

}  // namespace mxc::test
