// The supervisor's resolution of a sandboxed thread's unix socket path
// (issue 11, item 4) against hostile trees: links out of the root, loops,
// "..", relative paths, a socket swapped for a link after the check; and the
// network-namespace test that keeps the sandbox's own servers connectable.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/unix_socket_target.hpp"

using namespace mxc;
using namespace mxc::lnx;
namespace fs = std::filesystem;

namespace {

// base/outside.sock      a host socket outside the "sandbox root"
// base/root/run/app.sock the socket the sandbox may reach
// base/root/...          links and files planted by the sandbox
struct Tree {
    std::string base;
    std::string root;
    UniqueFd app;
    UniqueFd outside;

    Tree() {
        char tmpl[] = "/tmp/mxc-unix-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        base = tmpl;
        root = base + "/root";
        fs::create_directories(root + "/run");
        fs::create_directories(root + "/dir");
        std::ofstream(root + "/file") << "x";
        app = listen_at(root + "/run/app.sock");
        outside = listen_at(base + "/outside.sock");
        fs::create_symlink("/run/app.sock", root + "/abs-link");                    // absolute, inside
        fs::create_symlink("../run/app.sock", root + "/dir/rel-link");              // relative, inside
        fs::create_symlink(base + "/outside.sock", root + "/host-abs");             // host path
        fs::create_symlink("../outside.sock", root + "/climb");                     // ".." out of root
        fs::create_symlink("../../../../../../outside.sock", root + "/dir/climb");  // far out of root
        fs::create_symlink("loop-b", root + "/loop-a");
        fs::create_symlink("loop-a", root + "/loop-b");
        fs::create_symlink("/proc/self/root" + base + "/outside.sock", root + "/magic");
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    static UniqueFd listen_at(const std::string& path) {
        UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        REQUIRE(s.valid());
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        REQUIRE(path.size() < sizeof a.sun_path);
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(s.get(), 8) == 0);
        return s;
    }

    UniqueFd dir(const std::string& rel = "") const {
        UniqueFd fd(::open((root + rel).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        REQUIRE(fd.valid());
        return fd;
    }

    UnixSocketTarget resolve(std::string_view sun_path, const std::string& cwd = "") const {
        UniqueFd r = dir();
        UniqueFd c = dir(cwd);
        return resolve_unix_socket_at(r.get(), c.get(), sun_path);
    }
};

// Whether a plain connect() by path (what the kernel would do for the
// sandbox without the broker) reaches a listener: the control for each attack.
bool kernel_connects(const std::string& path) {
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

// A pending connection on `listener` (accept4 succeeds).
bool has_pending(int listener) {
    UniqueFd c(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    return c.valid();
}

struct stat stat_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st;
}

}  // namespace

TEST_CASE("an absolute path resolves to the socket inode with its path as the sandbox sees it") {
    Tree t;
    auto r = t.resolve("/run/app.sock");
    REQUIRE(r.error == 0);
    CHECK(r.path == "/run/app.sock");
    CHECK(r.opath.valid());
    const auto st = stat_of(t.root + "/run/app.sock");
    CHECK(r.dev == st.st_dev);
    CHECK(r.ino == st.st_ino);
    CHECK(t.resolve("//run/./app.sock").path == "/run/app.sock");
    CHECK(t.resolve("/dir/../run/app.sock").path == "/run/app.sock");
}

TEST_CASE("links inside the root are followed one component at a time and the canonical path is reported") {
    Tree t;
    auto a = t.resolve("/abs-link");
    REQUIRE(a.error == 0);
    CHECK(a.path == "/run/app.sock");
    auto b = t.resolve("/dir/rel-link");
    REQUIRE(b.error == 0);
    CHECK(b.path == "/run/app.sock");
}

TEST_CASE("links that point out of the root stay inside it") {
    Tree t;
    // Controls: without the resolver, the kernel follows each of them to the host socket.
    CHECK(kernel_connects(t.root + "/host-abs"));
    CHECK(kernel_connects(t.root + "/climb"));
    CHECK(kernel_connects(t.root + "/magic"));
    while (has_pending(t.outside.get())) {
    }
    // Absolute target: taken from the sandbox's root, where it does not exist.
    CHECK(t.resolve("/host-abs").error == ENOENT);
    // ".." at the root stays at the root.
    CHECK(t.resolve("/climb").error == ENOENT);
    CHECK(t.resolve("/dir/climb").error == ENOENT);
    CHECK(t.resolve("/../../outside.sock").error == ENOENT);
    CHECK(t.resolve("../../../outside.sock", "/dir").error == ENOENT);
    // A magic /proc link is never followed as such: "/proc/self/root/..." is
    // looked up inside the root like any other path.
    CHECK(t.resolve("/magic").error == ENOENT);
    CHECK_FALSE(has_pending(t.outside.get()));
}

TEST_CASE("a link loop, a directory, a file and a file used as directory are refused") {
    Tree t;
    CHECK(t.resolve("/loop-a").error == ELOOP);
    CHECK(t.resolve("/dir").error == ECONNREFUSED);
    CHECK(t.resolve("/").error == ECONNREFUSED);
    CHECK(t.resolve("/file").error == ECONNREFUSED);
    CHECK(t.resolve("/file/x").error == ENOTDIR);
    CHECK(t.resolve("/run/app.sock/").error == ENOTDIR);
    CHECK(t.resolve("/missing.sock").error == ENOENT);
    CHECK(t.resolve("/" + std::string(300, 'a')).error == EINVAL);  // longer than sun_path
    CHECK(t.resolve("/" + std::string(100, 'a') + "/b").error == ENOENT);
}

TEST_CASE("a chain of 40 links resolves, 41 is a loop") {
    Tree t;
    auto chain = [&](int n, const std::string& prefix) {
        fs::create_symlink("/run/app.sock", t.root + "/" + prefix + "0");
        for (int i = 1; i < n; ++i)
            fs::create_symlink(prefix + std::to_string(i - 1), t.root + "/" + prefix + std::to_string(i));
        return "/" + prefix + std::to_string(n - 1);
    };
    auto ok = t.resolve(chain(kMaxSocketPathLinks, "a"));
    CHECK(ok.error == 0);
    CHECK(ok.path == "/run/app.sock");
    CHECK(t.resolve(chain(kMaxSocketPathLinks + 1, "b")).error == ELOOP);
}

TEST_CASE("relative paths start at the thread's working directory") {
    Tree t;
    auto a = t.resolve("app.sock", "/run");
    REQUIRE(a.error == 0);
    CHECK(a.path == "/run/app.sock");
    auto b = t.resolve("../run/./app.sock", "/dir");
    REQUIRE(b.error == 0);
    CHECK(b.path == "/run/app.sock");
    auto c = t.resolve("run/app.sock", "");
    REQUIRE(c.error == 0);
    CHECK(c.path == "/run/app.sock");
    UniqueFd r = t.dir();
    CHECK(resolve_unix_socket_at(r.get(), -1, "app.sock").error == EINVAL);
}

TEST_CASE("hostile address bytes: abstract, empty, embedded NUL, no terminator, too long") {
    Tree t;
    CHECK(t.resolve(std::string_view("\0abstract", 9)).error == EINVAL);
    CHECK(t.resolve("").error == EINVAL);
    auto nul = t.resolve(std::string_view("/run/app.sock\0/../../outside.sock", 33));
    REQUIRE(nul.error == 0);
    CHECK(nul.path == "/run/app.sock");
    // 108 bytes without a terminator is a valid (here missing) name; 109 is not.
    CHECK(t.resolve("/" + std::string(107, 'x')).error == ENOENT);
    CHECK(t.resolve("/" + std::string(108, 'x')).error == EINVAL);
    CHECK(t.resolve("/x/" + std::string(105, 'y')).error == ENOENT);
}

TEST_CASE("the checked inode is connected even when the path is swapped for a link afterwards") {
    Tree t;
    auto target = t.resolve("/run/app.sock");
    REQUIRE(target.error == 0);
    // The sandbox swaps the checked socket for a link to the host socket.
    fs::rename(t.root + "/run/app.sock", t.root + "/run/moved.sock");
    fs::create_symlink(t.base + "/outside.sock", t.root + "/run/app.sock");
    CHECK(kernel_connects(t.root + "/run/app.sock"));  // control: by path, the host socket
    REQUIRE(has_pending(t.outside.get()));
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(connect_unix_via_opath(s.get(), target.opath.get()).ok());
    CHECK(has_pending(t.app.get()));
    CHECK_FALSE(has_pending(t.outside.get()));
    // Resolving again now refuses the link instead.
    CHECK(t.resolve("/run/app.sock").error == ENOENT);
}

TEST_CASE("connect_unix_via_opath keeps connect()'s errno when nobody listens") {
    Tree t;
    auto target = t.resolve("/run/app.sock");
    REQUIRE(target.error == 0);
    t.app.reset();  // closed listener: the inode stays, nobody accepts
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto st = connect_unix_via_opath(s.get(), target.opath.get());
    const int err = errno;  // before any test macro, which may print
    CHECK_FALSE(st.ok());
    CHECK(err == ECONNREFUSED);
}

TEST_CASE("rules match the canonical path by whole components") {
    std::vector<UnixSocketRule> rules{{"/run/user/1000/agent", "a"}, {"/var/run/docker.sock", "d"}};
    CHECK(unix_socket_allowed("/var/run/docker.sock", rules));
    CHECK(unix_socket_allowed("/run/user/1000/agent/ssh.sock", rules));
    CHECK(unix_socket_allowed("/run/user/1000/agent", rules));
    CHECK_FALSE(unix_socket_allowed("/run/user/1000/agent2/ssh.sock", rules));
    CHECK_FALSE(unix_socket_allowed("/var/run/docker.sock.evil", rules));
    CHECK_FALSE(unix_socket_allowed("/var/run", rules));
    CHECK_FALSE(unix_socket_allowed("/run/docker.sock", {}));
    REQUIRE(unix_socket_rule_for("/run/user/1000/agent/x", rules) != nullptr);
    CHECK(unix_socket_rule_for("/run/user/1000/agent/x", rules)->why == "a");
}

TEST_CASE("resolution through /proc/TID: the test's own process, and a child chrooted into the tree") {
    Tree t;
    auto own = resolve_unix_socket(::getpid(), t.root + "/run/app.sock");
    REQUIRE(own.error == 0);
    CHECK(own.path == t.root + "/run/app.sock");

    int ready[2];
    int done[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(done, O_CLOEXEC) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        ::close(done[1]);
        char ok = (::unshare(CLONE_NEWUSER) == 0 && ::chroot(t.root.c_str()) == 0 && ::chdir("/dir") == 0)
                      ? '1'
                      : '0';
        (void)!::write(ready[1], &ok, 1);
        char c;
        (void)!::read(done[0], &c, 1);
        ::_exit(0);
    }
    ::close(ready[1]);
    ::close(done[0]);
    char ok = '0';
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    if (ok == '1') {
        auto abs = resolve_unix_socket(child, "/run/app.sock");
        CHECK(abs.error == 0);
        CHECK(abs.path == "/run/app.sock");
        auto rel = resolve_unix_socket(child, "../run/app.sock");
        CHECK(rel.error == 0);
        CHECK(rel.path == "/run/app.sock");
        CHECK(resolve_unix_socket(child, "rel-link").path == "/run/app.sock");
        CHECK(resolve_unix_socket(child, "/host-abs").error == ENOENT);
        CHECK(resolve_unix_socket(child, "climb").error == ENOENT);
    } else {
        MESSAGE("skipped the chroot half: no user namespaces here");
    }
    ::close(done[1]);
    ::close(ready[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
}

namespace {

void send_fd(int over, int fd) {
    char byte = 'f';
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    (void)!::sendmsg(over, &m, 0);
}

UniqueFd recv_fd(int over) {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    if (::recvmsg(over, &m, MSG_CMSG_CLOEXEC) != 1) return {};
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    if (c == nullptr || c->cmsg_type != SCM_RIGHTS) return {};
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return UniqueFd(fd);
}

bool write_file(const char* path, const std::string& text) {
    UniqueFd f(::open(path, O_WRONLY | O_CLOEXEC));
    return f.valid() && ::write(f.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

}  // namespace

TEST_CASE("a socket bound in the sandbox's network namespace is found there, a host socket is not") {
    Tree t;
    const std::string inside = t.base + "/inside.sock";
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pair[0]);
        // A fresh user + network namespace, ids mapped so bind() can create the inode.
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0 || !write_file("/proc/self/setgroups", "deny") ||
            !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1") ||
            !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1"))
            ::_exit(3);
        // No REQUIRE in the child: a failure must end it, not run more tests.
        UniqueFd server(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, inside.c_str(), inside.size() + 1);
        if (!server.valid() || ::bind(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(server.get(), 1) != 0)
            ::_exit(5);
        UniqueFd diag(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
        if (!diag.valid()) ::_exit(4);
        send_fd(pair[1], diag.get());
        char c;
        (void)!::read(pair[1], &c, 1);  // keep the server bound until the parent is done
        ::_exit(0);
    }
    ::close(pair[1]);
    UniqueFd sandbox_diag = recv_fd(pair[0]);
    if (!sandbox_diag.valid()) {
        int status = 0;
        ::waitpid(child, &status, 0);
        MESSAGE("skipped: no user + network namespaces here (child status " << status << ")");
        ::close(pair[0]);
        return;
    }
    const auto in_st = stat_of(inside);
    const auto host_st = stat_of(t.root + "/run/app.sock");
    CHECK(S_ISSOCK(in_st.st_mode));

    auto in_sandbox = bound_in_sandbox_netns(sandbox_diag.get(), in_st.st_dev, in_st.st_ino);
    REQUIRE_MESSAGE(in_sandbox.ok(), (in_sandbox.ok() ? "" : in_sandbox.error().message));
    CHECK(*in_sandbox);
    auto host_in_sandbox = bound_in_sandbox_netns(sandbox_diag.get(), host_st.st_dev, host_st.st_ino);
    REQUIRE(host_in_sandbox.ok());
    CHECK_FALSE(*host_in_sandbox);
    // Same inode number, other device: not a match (the device is compared, in
    // the kernel's encoding).
    auto other_dev = bound_in_sandbox_netns(sandbox_diag.get(), in_st.st_dev + 1, in_st.st_ino);
    REQUIRE(other_dev.ok());
    CHECK_FALSE(*other_dev);

    // Control, the other way round: the host's namespace sees its own socket
    // and not the sandbox's.
    UniqueFd host_diag(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    REQUIRE(host_diag.valid());
    auto host_sees_host = bound_in_sandbox_netns(host_diag.get(), host_st.st_dev, host_st.st_ino);
    REQUIRE(host_sees_host.ok());
    CHECK(*host_sees_host);
    auto host_sees_inside = bound_in_sandbox_netns(host_diag.get(), in_st.st_dev, in_st.st_ino);
    REQUIRE(host_sees_inside.ok());
    CHECK_FALSE(*host_sees_inside);

    // The same diag socket answers repeated questions (each dump drained).
    for (int i = 0; i < 3; ++i) {
        auto again = bound_in_sandbox_netns(sandbox_diag.get(), in_st.st_dev, in_st.st_ino);
        REQUIRE(again.ok());
        CHECK(*again);
    }
    ::close(pair[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
}

TEST_CASE(
    "decide_unix_connect: a rule allows, anything else is refused with ECONNREFUSED, errors pass through") {
    Tree t;
    const std::vector<UnixSocketRule> rules{{"/run", "network.unix /run (p.toml:3:9)"}};
    auto allowed = decide_unix_connect(t.resolve("/abs-link"), rules, -1);
    CHECK(allowed.allowed);
    CHECK(allowed.why == "network.unix /run (p.toml:3:9)");
    CHECK(allowed.target.path == "/run/app.sock");
    CHECK(allowed.target.opath.valid());

    // Visible, a socket, but no rule: refused, and the fd is not kept.
    fs::create_directories(t.root + "/other");
    UniqueFd other = Tree::listen_at(t.root + "/other/x.sock");
    auto refused = decide_unix_connect(t.resolve("/other/x.sock"), rules, -1);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.target.error == ECONNREFUSED);
    CHECK(refused.why == "not in [network].unix");
    CHECK_FALSE(refused.target.opath.valid());

    auto missing = decide_unix_connect(t.resolve("/run/none.sock"), rules, -1);
    CHECK_FALSE(missing.allowed);
    CHECK(missing.target.error == ENOENT);

    // A diag socket that cannot answer (not a netlink socket) fails closed.
    UniqueFd not_diag(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    auto unknown = decide_unix_connect(t.resolve("/other/x.sock"), rules, not_diag.get());
    CHECK_FALSE(unknown.allowed);
    CHECK(unknown.target.error == ECONNREFUSED);
    CHECK(unknown.why.find("whether the sandbox bound it is unknown") != std::string::npos);

    // The test's own network namespace stands in for the sandbox's: a socket
    // bound here counts as the sandbox's own.
    UniqueFd diag(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    REQUIRE(diag.valid());
    auto own = decide_unix_connect(t.resolve("/other/x.sock"), rules, diag.get());
    CHECK(own.allowed);
    CHECK(own.why == "bound inside the sandbox");
}
