#include "support.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace mxc::itest {

std::vector<std::string> driver_argv(const std::string& ws, const std::vector<std::string>& args) {
    std::vector<std::string> argv{MXC_DRIVER, "-w", ws};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

test::RunResult sandbox(const std::string& ws, const std::vector<std::string>& args,
                        const std::string& stdin_data, std::chrono::milliseconds timeout) {
    test::RunSpec spec;
    spec.argv = driver_argv(ws, args);
    spec.cwd = ws;
    spec.stdin_data = stdin_data;
    spec.timeout = timeout;
    return test::run(spec);
}

Background::Background(const std::vector<std::string>& argv, const std::string& cwd) {
    char tmpl[] = "/tmp/mxc-bg-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("mkstemp");
    close(fd);
    out_path_ = std::string(tmpl) + ".out";
    err_path_ = std::string(tmpl) + ".err";
    unlink(tmpl);
    const bool drop = geteuid() == 0 && test::unprivileged();
    const uid_t uid = test::test_uid();
    const gid_t gid = test::test_gid();
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (!drop || std::string(*e).rfind("HOME=", 0) != 0) env.emplace_back(*e);
    }
    if (drop) {
        if (passwd* pw = getpwuid(uid)) env.push_back(std::string("HOME=") + pw->pw_dir);
    }
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        setpgid(0, 0);
        // Background jobs of a shell get SIGINT/SIGQUIT ignored; a test
        // process must start with default dispositions like a foreground job.
        for (int s = 1; s < 32; ++s) ::signal(s, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        if (chdir(cwd.c_str()) != 0) _exit(121);
        if (drop && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(122);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        std::vector<char*> e;
        for (auto& s : env) e.push_back(s.data());
        e.push_back(nullptr);
        execve(a[0], a.data(), e.data());
        _exit(127);
    }
}

Background::~Background() {
    if (!reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    unlink(out_path_.c_str());
    unlink(err_path_.c_str());
}

void Background::signal(int sig) const {
    kill(pid_, sig);
}

int Background::wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (true) {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (std::chrono::steady_clock::now() > deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    reaped_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string Background::out() const {
    return test::read_file(out_path_);
}
std::string Background::err() const {
    return test::read_file(err_path_);
}

bool wait_for_file(const std::string& path, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (access(path.c_str(), F_OK) == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

std::vector<pid_t> processes_with(const std::string& marker) {
    std::vector<pid_t> found;
    DIR* d = opendir("/proc");
    if (d == nullptr) return found;
    while (dirent* e = readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        std::string cmd = test::read_file("/proc/" + std::string(e->d_name) + "/cmdline");
        for (auto& c : cmd) {
            if (c == '\0') c = ' ';
        }
        if (cmd.find(marker) != std::string::npos) found.push_back(static_cast<pid_t>(pid));
    }
    closedir(d);
    return found;
}

bool wait_until_gone(const std::string& marker, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (processes_with(marker).empty()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

const std::map<std::string, std::string>& plain_env() {
    static const std::map<std::string, std::string> env{{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                                        {"LANG", "C"}};
    return env;
}

test::RunResult bare(const test::TempDir& ws, const std::vector<std::string>& command) {
    test::RunSpec spec;
    spec.argv = command;
    spec.cwd = ws.path();
    spec.env = plain_env();
    spec.timeout = std::chrono::milliseconds(15000);
    return test::run(spec);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace mxc::itest
