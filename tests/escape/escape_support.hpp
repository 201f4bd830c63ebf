#pragma once
// The scene every escape test plays in, and the two runs each attack gets:
// inside `mxc exec` (must be blocked: mxc-attack exits 1) and bare (must
// succeed: exits 0), so a broken attack can never pass as a blocked one.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/host_address.hpp"
#include "support/process.hpp"

namespace mxc::escape {

// Planted in every secret file; an attack succeeded when it read this.
inline constexpr const char* kSecret = "MXC-SECRET-7f3a9c";
// A credential-looking value the profile must strip from the environment.
inline constexpr const char* kCanary = "ghp_MXCCANARY0123456789abcdef";

// A directory tree under /var/tmp (not /tmp: the sandbox gets a private /tmp,
// and a workspace hidden by it would make every attack "blocked" for the
// wrong reason). Owned by the test identity.
//   ws/        the workspace (write rule); ws/bin/mxc-attack; ws/.git read-only; ws/.env denied
//   home/      $HOME (--allow-read); .ssh/id_rsa, .aws/credentials, .docker/ denied by the profile
//   outside/   no rule at all; outside/secret
//   ro/        --allow-read; ro/file
class Scene {
public:
    Scene();
    ~Scene();
    Scene(const Scene&) = delete;
    Scene& operator=(const Scene&) = delete;

    std::string root, ws, home, outside, ro;
    std::string attack;                      // ws/bin/mxc-attack
    std::string profile;                     // path of the profile used by inside()
    std::vector<std::string> flags;          // extra `mxc exec` flags
    std::map<std::string, std::string> env;  // extra environment for both runs

    // Writes a file below root, owned by the test identity; returns its path.
    std::string plant(const std::string& relative, const std::string& content) const;
    void chown_to_test_identity(const std::string& path) const;

    // The argv for the inside / bare run of `mxc-attack args...` (or of
    // `program args...` when program is given).
    std::vector<std::string> inside_argv(const std::vector<std::string>& args,
                                         const std::string& program = {}) const;
    std::vector<std::string> bare_argv(const std::vector<std::string>& args,
                                       const std::string& program = {}) const;

    test::RunResult inside(const std::vector<std::string>& args, const std::string& program = {}) const;
    test::RunResult bare(const std::vector<std::string>& args, const std::string& program = {}) const;
};

std::string profile_path(const std::string& name);  // tests/escape/profiles/<name>

// How strictly the bare control is required to succeed.
enum class Control {
    Required,  // the attack works outside mxc for every identity
    // The attack needs something this host or identity may lack (root, a
    // module): when the bare run fails, the test is skipped with a message,
    // never passed.
    IfPossible,
};

// Runs the attack inside (must exit 1), then bare (must exit 0). Returns
// false when an IfPossible control was not possible (test skipped).
bool check_attack(const Scene& scene, const std::vector<std::string>& args,
                  Control control = Control::Required);

// Separate halves, for tests that check host state between the runs.
void expect_blocked(const test::RunResult& inside, const std::string& what);
bool expect_control(const test::RunResult& bare, const std::string& what,
                    Control control = Control::Required);

using test::own_address;  // support/host_address.hpp

// A host TCP service on `ip` (default every address of this host), port
// chosen by the kernel: greets every client with `greeting` and closes.
class GreetingServer {
public:
    explicit GreetingServer(const std::string& ip = "0.0.0.0",
                            std::string greeting = std::string(kSecret) + "\n");
    ~GreetingServer();
    GreetingServer(const GreetingServer&) = delete;
    GreetingServer& operator=(const GreetingServer&) = delete;
    [[nodiscard]] std::string port() const { return std::to_string(port_); }
    [[nodiscard]] int accepted() const { return accepted_.load(); }

private:
    void serve();
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::string greeting_;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

// A long-running host process (`sleep`) as the test identity, killed on
// destruction: the target of /proc, ptrace and signal attacks.
class HostProcess {
public:
    HostProcess(const std::string& cwd, const std::map<std::string, std::string>& env);
    ~HostProcess();
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool alive() const;

private:
    pid_t pid_ = -1;
};

struct SpawnOptions {
    std::string cwd;
    int tty = -1;                                // becomes the controlling tty and fds 0-2
    std::vector<std::pair<int, int>> extra_fds;  // (fd number in the child, fd to dup from)
    std::string log;                             // stdout+stderr go here ("" = /dev/null)
    std::map<std::string, std::string> env;      // added to the inherited environment
};

// fork + (drop to the test identity) + exec, without RunSpec's pipes: for
// runs that need a tty, leaked descriptors, or a pid to SIGKILL.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options);
// Waits for pid; returns a shell-style status (128+N for signal N); on
// timeout kills its process group and returns -1. While waiting, drains
// drain_fd (a pty master) so the child never blocks on a full terminal.
int wait_for(pid_t pid, std::chrono::milliseconds timeout, int drain_fd = -1);

std::string slurp(const std::string& path);
bool exists(const std::string& path);

}  // namespace mxc::escape
