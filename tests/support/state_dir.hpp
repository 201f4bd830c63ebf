#pragma once
#include <string>

namespace mxc::test {

// A directory outside every area a sandboxed run can write (the workspace,
// the write rules, the built-in writable home dirs, /tmp, /var/tmp,
// /dev/shm), owned by the test identity. mxc refuses an audit sink inside a
// writable area, so tests put their sinks here. It lies under the build
// tree unless the build tree itself lies in a temp dir (a checkout under
// /tmp); then under /var/lib/mxc-tests as root, else under
// ~/.local/state/mxc-tests.
class StateDir {
public:
    StateDir();
    ~StateDir();
    StateDir(const StateDir&) = delete;
    StateDir& operator=(const StateDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string fallback_base_;  // removed again once empty
    std::string path_;
};

}  // namespace mxc::test
