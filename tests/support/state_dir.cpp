#include "state_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "policy/writable_areas.hpp"
#include "support/process.hpp"

namespace mxc::test {

namespace {

// Whether `path`, as written or resolved, lies in a shared temp dir: a
// writable area of every run (policy/writable_areas.hpp).
bool in_shared_temp_dir(const std::filesystem::path& path) {
    const std::vector<std::string> temp_dirs(std::begin(policy::kSharedTempDirs),
                                             std::end(policy::kSharedTempDirs));
    std::error_code ec;
    const std::string real = std::filesystem::weakly_canonical(path, ec).string();
    return policy::writable_area_containing(path.string(), temp_dirs) ||
           policy::writable_area_containing(real, temp_dirs);
}

// Where to put state dirs when the build tree will not do; nullopt when it will.
std::optional<std::filesystem::path> fallback_base() {
    if (!in_shared_temp_dir(MXC_TEST_BUILD_DIR)) return std::nullopt;
    if (::geteuid() == 0) return "/var/lib/mxc-tests";
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') throw std::runtime_error("StateDir: HOME is not set");
    return std::filesystem::path(home) / ".local/state/mxc-tests";
}

}  // namespace

StateDir::StateDir() {
    const std::optional<std::filesystem::path> fallback = fallback_base();
    const std::filesystem::path base = fallback.value_or(MXC_TEST_BUILD_DIR);
    if (fallback) {
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
