#include "escape_support.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace mxc::escape {
namespace {

bool should_drop() {
    return geteuid() == 0 && test::test_uid() != 0;
}

void check_sys(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

std::string profile_path(const std::string& name) {
    return std::string(MXC_ESCAPE_PROFILE_DIR) + "/" + name;
}

Scene::Scene() {
    std::string tmpl = "/var/tmp/mxc-escape-XXXXXX";
    check_sys(mkdtemp(tmpl.data()) != nullptr, "mkdtemp " + tmpl);
    root = tmpl;
    check_sys(chmod(root.c_str(), 0755) == 0, "chmod " + root);
    chown_to_test_identity(root);
    ws = root + "/ws";
    home = root + "/home";
    outside = root + "/outside";
    ro = root + "/ro";
    plant("ws/.git/config", "[core]\n\tbare = false\n");
    plant("ws/.env", std::string("API_TOKEN=") + kSecret + "\n");
    plant("home/.ssh/id_rsa", std::string("-----BEGIN OPENSSH PRIVATE KEY-----\n") + kSecret + "\n");
    plant("home/.aws/credentials", std::string("aws_secret_access_key = ") + kSecret + "\n");
    plant("home/.docker/config.json", std::string("{\"auth\": \"") + kSecret + "\"}\n");
    plant("outside/secret", std::string("outside ") + kSecret + "\n");
    plant("ro/file", std::string("read-only ") + kSecret + "\n");
    attack = ws + "/bin/mxc-attack";
    fs::create_directories(ws + "/bin");
    fs::copy_file(MXC_ATTACK_BINARY, attack, fs::copy_options::overwrite_existing);
    check_sys(chmod(attack.c_str(), 0755) == 0, "chmod " + attack);
    chown_to_test_identity(ws + "/bin");
    chown_to_test_identity(attack);
    profile = profile_path("escape.toml");
    flags = {"--allow-read", home, "--allow-read", ro};
}

Scene::~Scene() {
    std::error_code ec;
    fs::remove_all(root, ec);
}

void Scene::chown_to_test_identity(const std::string& path) const {
    if (geteuid() != 0) return;
    check_sys(lchown(path.c_str(), test::test_uid(), test::test_gid()) == 0, "chown " + path);
}

std::string Scene::plant(const std::string& relative, const std::string& content) const {
    fs::path p = fs::path(root) / relative;
    fs::create_directories(p.parent_path());
    {
        std::ofstream f(p, std::ios::binary);
        f << content;
    }
    for (fs::path q = p; q.string().size() > root.size(); q = q.parent_path())
        chown_to_test_identity(q.string());
    return p.string();
}

std::vector<std::string> Scene::inside_argv(const std::vector<std::string>& args,
                                            const std::string& program) const {
    // env(1) sets HOME after process.cpp has dropped to the test identity
    // (which resets HOME), so ~ in the profile means our planted home.
    std::vector<std::string> argv{"/usr/bin/env", "HOME=" + home};
    for (const auto& [k, v] : env) argv.push_back(k + "=" + v);
    argv.insert(argv.end(), {MXC_BINARY, "exec", "-p", profile, "-w", ws});
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("--");
    argv.push_back(program.empty() ? attack : program);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::vector<std::string> Scene::bare_argv(const std::vector<std::string>& args,
                                          const std::string& program) const {
    std::vector<std::string> argv{"/usr/bin/env", "HOME=" + home};
    for (const auto& [k, v] : env) argv.push_back(k + "=" + v);
    argv.push_back(program.empty() ? attack : program);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

test::RunResult Scene::inside(const std::vector<std::string>& args, const std::string& program) const {
    test::RunSpec spec;
    spec.argv = inside_argv(args, program);
    spec.cwd = ws;
    spec.timeout = std::chrono::seconds(60);
    return test::run(spec);
}

test::RunResult Scene::bare(const std::vector<std::string>& args, const std::string& program) const {
    test::RunSpec spec;
    spec.argv = bare_argv(args, program);
    spec.cwd = ws;
    spec.timeout = std::chrono::seconds(60);
    return test::run(spec);
}

void expect_blocked(const test::RunResult& inside, const std::string& what) {
    INFO("inside mxc: status ", inside.status, std::string(inside.timed_out ? " (timed out)" : ""),
         "\nstderr:\n", inside.err);
    if (inside.status == 0) {
        FAIL_CHECK("ESCAPE: ", what, " succeeded inside mxc");
    } else {
        CHECK_MESSAGE(inside.status == 1, what,
                      ": inside run neither blocked (1) nor escaped (0): mxc or the attack itself failed");
    }
}

bool expect_control(const test::RunResult& bare, const std::string& what, Control control) {
    if (bare.status == 0) return true;
    if (control == Control::IfPossible) {
        MESSAGE("skipped: ", what, " does not work outside mxc on this host/identity either (status ",
                bare.status, "): ", bare.err);
        return false;
    }
    INFO("bare: status ", bare.status, "\nstderr:\n", bare.err);
    FAIL_CHECK("control failed: ", what, " must succeed outside mxc, or this test proves nothing");
    return false;
}

bool check_attack(const Scene& scene, const std::vector<std::string>& args, Control control) {
    std::string what = "mxc-attack";
    for (const auto& a : args) what += " " + a;
    if (control == Control::IfPossible) {
        // Control first: when the host cannot do it at all, skip rather than
        // record a meaningless "blocked".
        if (!expect_control(scene.bare(args), what, control)) return false;
        expect_blocked(scene.inside(args), what);
        return true;
    }
    expect_blocked(scene.inside(args), what);
    return expect_control(scene.bare(args), what, control);
}

HostProcess::HostProcess(const std::string& cwd, const std::map<std::string, std::string>& env) {
    SpawnOptions opt;
    opt.cwd = cwd;
    opt.env = env;
    pid_ = spawn({"/bin/sleep", "120"}, opt);
    // Let it reach execve so /proc/<pid> shows sleep, not the forked test.
    for (int i = 0; i < 200; ++i) {
        if (slurp("/proc/" + std::to_string(pid_) + "/cmdline").find("sleep") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

HostProcess::~HostProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

bool HostProcess::alive() const {
    int status = 0;
    // Reaped as a zombie counts as dead.
    return waitpid(pid_, &status, WNOHANG) == 0;
}

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
    uid_t uid = test::test_uid();
    gid_t gid = test::test_gid();
    bool drop = should_drop();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid != 0) return pid;

    if (options.tty >= 0) {
        setsid();
        if (ioctl(options.tty, TIOCSCTTY, 1) != 0) _exit(120);
        for (int fd = 0; fd < 3; ++fd) dup2(options.tty, fd);
    } else {
        setpgid(0, 0);
        int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        int out = options.log.empty()
                      ? null_fd
                      : open(options.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        dup2(null_fd, 0);
        dup2(out, 1);
        dup2(out, 2);
    }
    for (auto [target, source] : options.extra_fds) {
        if (target == source) {
            fcntl(target, F_SETFD, 0);
        } else {
            dup2(source, target);  // dup2 clears FD_CLOEXEC on target
        }
    }
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(121);
    for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
    if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(122);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

int wait_for(pid_t pid, std::chrono::milliseconds timeout, int drain_fd) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (drain_fd >= 0) {
            char buf[4096];
            while (read(drain_fd, buf, sizeof buf) > 0) {
            }
        }
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        }
        if (r < 0 && errno != EINTR) return -1;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool exists(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0;
}

GreetingServer::GreetingServer(const std::string& ip, std::string greeting) : greeting_(std::move(greeting)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) == 1);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

GreetingServer::~GreetingServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
}

void GreetingServer::serve() {
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        ++accepted_;
        (void)!write(c, greeting_.data(), greeting_.size());
        close(c);
    }
}

}  // namespace mxc::escape
