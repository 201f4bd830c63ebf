#include "support/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
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

extern char** environ;

namespace mxc::test {
namespace {

constexpr const char* kTestUser = "mxc-test";

struct Identity {
    uid_t uid;
    gid_t gid;
    bool drop;
};

Identity identity() {
    const char* as = std::getenv("MXC_TEST_AS");
    bool want_unpriv = as != nullptr && std::string(as) == "unprivileged";
    if (want_unpriv && geteuid() == 0) {
        if (passwd* pw = getpwnam(kTestUser)) return {pw->pw_uid, pw->pw_gid, true};
        throw std::runtime_error("test user mxc-test missing: run scripts/create-test-user.sh");
    }
    return {geteuid(), getegid(), false};
}

void set_cloexec_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
}

}  // namespace

bool unprivileged() {
    const char* as = std::getenv("MXC_TEST_AS");
    return (as != nullptr && std::string(as) == "unprivileged") || geteuid() != 0;
}
unsigned test_uid() {
    return identity().uid;
}
unsigned test_gid() {
    return identity().gid;
}

RunResult run(const RunSpec& spec) {
    Identity id = spec.as_test_identity ? identity() : Identity{geteuid(), getegid(), false};
    int in[2], out[2], err[2];
    set_cloexec_pipe(in);
    set_cloexec_pipe(out);
    set_cloexec_pipe(err);

    std::vector<std::string> env_storage;
    if (spec.env) {
        for (const auto& [k, v] : *spec.env) env_storage.push_back(k + "=" + v);
    } else {
        for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
    }
    if (id.drop && !(spec.env && spec.env->count("HOME") != 0)) {
        // A dropped identity must not keep root's HOME (a test that names
        // one, a fresh empty home, keeps it).
        std::erase_if(env_storage, [](const std::string& s) { return s.rfind("HOME=", 0) == 0; });
        if (passwd* pw = getpwuid(id.uid)) env_storage.push_back(std::string("HOME=") + pw->pw_dir);
    }
    std::vector<char*> envp;
    for (auto& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_storage = spec.argv;
    std::vector<char*> argv;
    for (auto& s : argv_storage) argv.push_back(s.data());
    argv.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        setpgid(0, 0);
        if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(121);
        if (id.drop) {
            if (setgroups(0, nullptr) != 0 || setgid(id.gid) != 0 || setuid(id.uid) != 0) _exit(122);
        }
        execvpe(argv[0], argv.data(), envp.data());
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);

    RunResult result;
    size_t written = 0;
    int in_fd = in[1];
    if (spec.stdin_data.empty()) {
        close(in_fd);
        in_fd = -1;
    } else {
        fcntl(in_fd, F_SETFL, O_NONBLOCK);
    }
    signal(SIGPIPE, SIG_IGN);
    auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        pollfd fds[3];
        int n = 0;
        int out_idx = -1, err_idx = -1, in_idx = -1;
        if (out_open) {
            out_idx = n;
            fds[n++] = {out[0], POLLIN, 0};
        }
        if (err_open) {
            err_idx = n;
            fds[n++] = {err[0], POLLIN, 0};
        }
        if (in_fd >= 0) {
            in_idx = n;
            fds[n++] = {in_fd, POLLOUT, 0};
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        int r = poll(fds, n, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        char buf[65536];
        auto drain = [&](int idx, int fd, std::string& into, bool& open) {
            if (idx < 0 || fds[idx].revents == 0) return;
            ssize_t got = read(fd, buf, sizeof buf);
            if (got > 0)
                into.append(buf, static_cast<size_t>(got));
            else if (got == 0 || errno != EINTR)
                open = false;
        };
        drain(out_idx, out[0], result.out, out_open);
        drain(err_idx, err[0], result.err, err_open);
        if (in_idx >= 0 && fds[in_idx].revents != 0) {
            ssize_t w = write(in_fd, spec.stdin_data.data() + written, spec.stdin_data.size() - written);
            if (w > 0) written += static_cast<size_t>(w);
            if (w < 0 && errno != EAGAIN && errno != EINTR) written = spec.stdin_data.size();
            if (written == spec.stdin_data.size()) {
                close(in_fd);
                in_fd = -1;
            }
        }
    }
    if (in_fd >= 0) close(in_fd);
    close(out[0]);
    close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.status = 128 + WTERMSIG(status);
    return result;
}

RunResult mxc(const std::vector<std::string>& args, const std::string& stdin_data) {
    RunSpec spec;
    spec.argv.push_back(MXC_BINARY);
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.stdin_data = stdin_data;
    return run(spec);
}

RunResult bare(const std::vector<std::string>& argv, const std::string& stdin_data) {
    RunSpec spec;
    spec.argv = argv;
    spec.stdin_data = stdin_data;
    return run(spec);
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mxc-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    Identity id = identity();
    if (id.drop && chown(path_.c_str(), id.uid, id.gid) != 0)
        throw std::runtime_error("chown temp dir failed");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    {
        std::ofstream f(p, std::ios::binary);
        f << content;
    }
    Identity id = identity();
    if (id.drop) {
        for (auto q = p; q.string().size() > path_.size(); q = q.parent_path()) {
            if (chown(q.c_str(), id.uid, id.gid) != 0) throw std::runtime_error("chown failed");
        }
    }
    return p.string();
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace mxc::test
