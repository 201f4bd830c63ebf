// mxc-attack: one binary, one attack per name. `mxc-attack NAME ARGS...`
// exits 0 when the attack succeeded, 1 when it was blocked, 2 on a usage or
// setup error (so a broken attack is never mistaken for a blocked one). It
// says what happened on stderr.
//
// The escape suite runs every attack twice: inside `mxc exec` (must be 1) and
// bare (must be 0). Each attack is a direct, exact system-call sequence so
// that "blocked" can only mean the sandbox stopped it. Linked statically so it
// runs under any profile's view of /lib.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "attack_result.hpp"
#include "broker_attacks.hpp"

namespace {

using mxc::attack::Args;
using mxc::attack::blocked;
using mxc::attack::error;
using mxc::attack::kBlocked;
using mxc::attack::kError;
using mxc::attack::kSucceeded;
using mxc::attack::succeeded;
using mxc::attack::verdict;

bool read_all(const std::string& path, std::string& out) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == 0;
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

int read_for_marker(const std::string& path, const std::string& marker) {
    std::string content;
    if (!read_all(path, content)) return blocked("read " + path);
    if (contains(content, marker)) return succeeded("read the secret from " + path);
    return blocked("read " + path + " but it holds no secret (an empty overlay?)", 0);
}

bool write_marker(const std::string& path, int flags) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | flags, 0644);
    if (fd < 0) return false;
    const char line[] = "MXC-ESCAPED\n";
    bool ok = write(fd, line, sizeof line - 1) == static_cast<ssize_t>(sizeof line - 1);
    close(fd);
    return ok;
}

// Runs fn directly; if the kernel says EPERM, again in a child inside fresh
// namespaces (plain `extra` first, as root outside can; then with a user
// namespace, as an unprivileged user outside can). Outside mxc one of the
// three works; inside, the filter must stop all of them.
// Mount attacks pass direct=false: outside mxc, a direct mount as root would
// change the host's own mount table.
bool with_privilege(int extra, const std::function<bool()>& fn, bool direct = true) {
    if (direct) {
        if (fn()) return true;
        if (errno != EPERM && errno != EACCES) return false;
    }
    for (int flags : {extra, extra | CLONE_NEWUSER}) {
        pid_t pid = fork();
        if (pid < 0) return false;
        if (pid == 0) {
            if (unshare(flags) != 0) _exit(errno == 0 ? 100 : errno & 0x7f);
            _exit(fn() ? 0 : (errno & 0x7f) + 128);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
        if (WIFEXITED(status)) errno = WEXITSTATUS(status) & 0x7f;
    }
    return false;
}

pid_t to_pid(const std::string& s) {
    return static_cast<pid_t>(std::strtol(s.c_str(), nullptr, 10));
}

// ---- syscall groups ---------------------------------------------------------

int ptrace_child(const Args&) {
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    long rc = ptrace(PTRACE_SEIZE, child, nullptr, nullptr);
    int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    errno = err;
    return verdict(rc == 0, "PTRACE_SEIZE a child");
}

int ptrace_pid(const Args& a) {
    pid_t pid = to_pid(a.at(0));
    long rc = ptrace(PTRACE_SEIZE, pid, nullptr, nullptr);
    int err = errno;
    if (rc == 0) ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    errno = err;
    return verdict(rc == 0, "PTRACE_SEIZE host pid " + a.at(0));
}

int process_vm_child(const Args&) {
    static char secret[32] = "MXC-CHILD-MEMORY";
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    char got[32] = {};
    iovec local{got, sizeof got}, remote{secret, sizeof secret};
    ssize_t n = process_vm_readv(child, &local, 1, &remote, 1, 0);
    int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    errno = err;
    return verdict(n > 0 && std::strcmp(got, secret) == 0, "process_vm_readv a child's memory");
}

int io_uring(const Args&) {
    unsigned char params[120] = {};  // struct io_uring_params
    long fd = syscall(SYS_io_uring_setup, 4, params);
    return verdict(fd >= 0, "io_uring_setup");
}

int bpf_map(const Args&) {
    bpf_attr attr{};
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
    return verdict(fd >= 0, "bpf(BPF_MAP_CREATE)");
}

int keyring(const Args&) {
    // The user keyring is shared by every process of the uid: credentials
    // that other sessions stored there.
    long id = syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -4 /*KEY_SPEC_USER_KEYRING*/, 1);
    return verdict(id >= 0, "keyctl(GET_KEYRING_ID, user keyring)");
}

int perf_event(const Args&) {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    return verdict(fd >= 0, "perf_event_open(self, user-only)");
}

int userfaultfd(const Args&) {
    long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    return verdict(fd >= 0, "userfaultfd");
}

int mount_tmpfs(const Args& a) {
    const std::string dir = a.at(0);
    bool ok = with_privilege(
        CLONE_NEWNS, [&] { return mount("mxc", dir.c_str(), "tmpfs", 0, nullptr) == 0; }, false);
    return verdict(ok, "mount tmpfs on " + dir);
}

int mount_new_api(const Args&) {
    bool ok = with_privilege(
        CLONE_NEWNS,
        [] {
            long fs = syscall(SYS_fsopen, "tmpfs", 0);
            if (fs < 0) return false;
            if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return false;
            return syscall(SYS_fsmount, fs, 0, 0) >= 0;
        },
        false);
    return verdict(ok, "fsopen/fsconfig/fsmount tmpfs");
}

int userns_unshare(const Args&) {
    return verdict(unshare(CLONE_NEWUSER) == 0, "unshare(CLONE_NEWUSER)");
}

int userns_clone(const Args&) {
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    int err = errno;
    if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
    errno = err;
    return verdict(pid > 0, "clone(CLONE_NEWUSER)");
}

int userns_clone3(const Args&) {
    clone_args args{};
    args.flags = CLONE_NEWUSER;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) _exit(0);
    int err = errno;
    if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
    errno = err;
    return verdict(pid > 0, "clone3(CLONE_NEWUSER)");
}

int netlink(const Args&) {
    return verdict(socket(AF_NETLINK, SOCK_RAW, 0 /*NETLINK_ROUTE*/) >= 0, "socket(AF_NETLINK)");
}

int vsock(const Args&) {
    return verdict(socket(AF_VSOCK, SOCK_STREAM, 0) >= 0, "socket(AF_VSOCK)");
}

int packet(const Args&) {
    bool ok = with_privilege(CLONE_NEWNET, [] { return socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) >= 0; });
    return verdict(ok, "socket(AF_PACKET, SOCK_RAW)");
}

int raw_inet(const Args&) {
    bool ok = with_privilege(CLONE_NEWNET,
                             [] { return socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP) >= 0; });
    return verdict(ok, "socket(AF_INET, SOCK_RAW)");
}

int raw_inet6(const Args&) {
    bool ok = with_privilege(CLONE_NEWNET, [] { return socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) >= 0; });
    return verdict(ok, "socket(AF_INET6, SOCK_RAW)");
}

int tiocsti(const Args& a) {
    // Pushes bytes into the input queue of the terminal on stdin: whoever
    // reads that terminal next (the user's shell) runs them.
    for (char c : a.at(0)) {
        if (ioctl(0, TIOCSTI, &c) != 0) return blocked("ioctl(0, TIOCSTI)");
    }
    return succeeded("injected \"" + a.at(0) + "\" into the terminal");
}

// ---- filesystem -------------------------------------------------------------

int read_file(const Args& a) {
    return read_for_marker(a.at(0), a.at(1));
}

int write_file(const Args& a) {
    return verdict(write_marker(a.at(0), O_CREAT | O_APPEND), "write " + a.at(0));
}

int symlink_read(const Args& a) {
    const std::string& link = a.at(0);
    unlink(link.c_str());
    if (symlink(a.at(1).c_str(), link.c_str()) != 0) return blocked("symlink " + link);
    return read_for_marker(link, a.at(2));
}

int symlink_write(const Args& a) {
    const std::string& link = a.at(0);
    unlink(link.c_str());
    if (symlink(a.at(1).c_str(), link.c_str()) != 0) return blocked("symlink " + link);
    return verdict(write_marker(link, O_APPEND), "write through symlink " + link + " -> " + a.at(1));
}

// Swaps DIR/f between a plain file and a symlink to TARGET while another
// thread keeps appending to DIR/f: a check-then-open sandbox loses this race.
int symlink_race(const Args& a) {
    // Per-process names: a previous run may have left its files behind.
    const std::string dir = a.at(0) + "/" + std::to_string(getpid()), target = a.at(1);
    if (mkdir(dir.c_str(), 0755) != 0) return error("mkdir " + dir);
    const std::string f = dir + "/f", plain = dir + "/plain", link = dir + "/link";
    std::atomic<bool> stop{false};
    std::atomic<int> wrote_via_link{0};
    std::thread swapper([&] {
        for (int i = 0; i < 20000 && !stop; ++i) {
            if (i % 2 == 0) {
                unlink(link.c_str());
                if (symlink(target.c_str(), link.c_str()) == 0) rename(link.c_str(), f.c_str());
            } else {
                int fd = open(plain.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                if (fd >= 0) close(fd);
                rename(plain.c_str(), f.c_str());
            }
        }
        stop = true;
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!stop && std::chrono::steady_clock::now() < deadline) {
        struct stat st {};
        if (lstat(f.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && write_marker(f, O_APPEND)) ++wrote_via_link;
    }
    stop = true;
    swapper.join();
    // Judge by the target itself: a write that landed on the plain file in
    // between does not count.
    std::string content;
    bool reached = read_all(target, content) && contains(content, "MXC-ESCAPED");
    std::fprintf(stderr, "mxc-attack: %d writes while DIR/f was a symlink\n", wrote_via_link.load());
    return verdict(reached, "raced a write through " + f + " into " + target);
}

// Exchanges DIR/sub between a real directory and a symlink to OUTSIDE while
// another thread creates DIR/sub/pwned.
int rename_race(const Args& a) {
    const std::string dir = a.at(0) + "/" + std::to_string(getpid()), outside = a.at(1);
    const std::string sub = dir + "/sub", link = dir + "/sublink";
    if (mkdir(dir.c_str(), 0755) != 0 || mkdir(sub.c_str(), 0755) != 0) return error("mkdir " + sub);
    if (symlink(outside.c_str(), link.c_str()) != 0) return error("symlink " + link);
    std::atomic<bool> stop{false};
    std::thread swapper([&] {
        for (int i = 0; i < 20000 && !stop; ++i)
            syscall(SYS_renameat2, AT_FDCWD, sub.c_str(), AT_FDCWD, link.c_str(), 2 /*RENAME_EXCHANGE*/);
        stop = true;
    });
    int wrote = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    const std::string victim = outside + "/pwned";
    while (!stop && std::chrono::steady_clock::now() < deadline) {
        if (write_marker(sub + "/pwned", O_CREAT | O_APPEND) && access(victim.c_str(), F_OK) == 0) ++wrote;
        if (wrote > 0) break;
    }
    stop = true;
    swapper.join();
    return verdict(wrote > 0, "raced a file creation through " + sub + " into " + outside);
}

int hardlink_read(const Args& a) {
    unlink(a.at(1).c_str());
    if (link(a.at(0).c_str(), a.at(1).c_str()) != 0) return blocked("link " + a.at(0) + " -> " + a.at(1));
    return read_for_marker(a.at(1), a.at(2));
}

int hardlink_write(const Args& a) {
    unlink(a.at(1).c_str());
    if (link(a.at(0).c_str(), a.at(1).c_str()) != 0) return blocked("link " + a.at(0) + " -> " + a.at(1));
    return verdict(write_marker(a.at(1), O_APPEND), "write to " + a.at(0) + " through hard link " + a.at(1));
}

// The classic chroot breakout: chroot into a subdirectory while keeping a cwd
// outside it, climb, chroot("."). In a sandbox it must still end at the
// sandbox's own root.
int chroot_breakout(const Args& a) {
    const std::string scratch = a.at(0);
    mkdir(scratch.c_str(), 0755);
    if (chroot(scratch.c_str()) == 0) {
        for (int i = 0; i < 64; ++i)
            if (chdir("..") != 0) break;
        if (chroot(".") != 0) {
            // still try the read below
        }
    }
    return read_for_marker(a.at(1), a.at(2));
}

int unmount_read(const Args& a) {
    umount2(a.at(0).c_str(), MNT_DETACH);  // the overlay hiding a deny rule
    return read_for_marker(a.at(1), a.at(2));
}

int remount_write(const Args& a) {
    const std::string dir = a.at(0);
    // A read rule is a read-only bind; as root in its user namespace the
    // sandbox might try to flip it back to read-write.
    mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr);
    return verdict(write_marker(dir + "/mxc-remounted", O_CREAT | O_APPEND),
                   "write into " + dir + " after remount");
}

int open_by_handle(const Args& a) {
    // "Shocker": a file handle obtained elsewhere opens a file by inode,
    // bypassing every path-based rule. Needs CAP_DAC_READ_SEARCH.
    const std::string& hex = a.at(0);
    std::vector<unsigned char> bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    if (bytes.size() < 8) return error("bad handle");
    std::vector<unsigned char> storage(sizeof(file_handle) + bytes.size());
    auto* fh = reinterpret_cast<file_handle*>(storage.data());
    int type = 0;
    std::memcpy(&type, bytes.data(), 4);
    fh->handle_type = type;
    fh->handle_bytes = static_cast<unsigned>(bytes.size() - 4);
    std::memcpy(fh->f_handle, bytes.data() + 4, bytes.size() - 4);
    int mount_fd = open(a.at(1).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mount_fd < 0) return blocked("open " + a.at(1));
    int fd = open_by_handle_at(mount_fd, fh, O_RDONLY);
    if (fd < 0) return blocked("open_by_handle_at");
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    std::string content(buf, n > 0 ? static_cast<size_t>(n) : 0);
    return verdict(contains(content, a.at(2)), "open_by_handle_at read the secret");
}

// ---- /proc, /sys, /dev ------------------------------------------------------

int environ_scan(const Args& a) {
    const std::string& canary = a.at(0);
    std::string where;
    for (char** e = environ; *e != nullptr; ++e)
        if (contains(*e, canary)) where = "own environment";
    if (DIR* d = opendir("/proc")) {
        while (dirent* ent = readdir(d)) {
            if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
            std::string env;
            if (read_all(std::string("/proc/") + ent->d_name + "/environ", env) && contains(env, canary))
                where = std::string("/proc/") + ent->d_name + "/environ";
        }
        closedir(d);
    }
    if (!where.empty()) return succeeded("found the canary in " + where);
    return blocked("canary in no visible environment", 0);
}

int pid_visible(const Args& a) {
    std::string cmdline;
    if (!read_all("/proc/" + a.at(0) + "/cmdline", cmdline))
        return blocked("read /proc/" + a.at(0) + "/cmdline");
    return verdict(contains(cmdline, "sleep"), "host process " + a.at(0) + " is visible");
}

int sys_write(const Args& a) {
    // Writes back the value already selected, so the control changes nothing.
    std::string cur;
    if (!read_all(a.at(0), cur)) return blocked("read " + a.at(0));
    auto open_br = cur.find('['), close_br = cur.find(']');
    std::string value = open_br != std::string::npos && close_br > open_br
                            ? cur.substr(open_br + 1, close_br - open_br - 1)
                            : cur;
    int fd = open(a.at(0).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return blocked("open " + a.at(0) + " for writing");
    bool ok = write(fd, value.data(), value.size()) >= 0;
    close(fd);
    return verdict(ok, "write to " + a.at(0));
}

int mknod_dev(const Args& a) {
    const std::string node = a.at(0);
    unlink(node.c_str());
    if (mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 5)) != 0) return blocked("mknod " + node + " c 1 5");
    int fd = open(node.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return blocked("open the new device node " + node);
    char c = 1;
    bool ok = read(fd, &c, 1) == 1 && c == 0;
    close(fd);
    return verdict(ok, "created and read device node " + node);
}

int block_device_read(const Args&) {
    DIR* d = opendir("/sys/block");
    std::vector<std::string> names;
    if (d != nullptr) {
        while (dirent* ent = readdir(d))
            if (ent->d_name[0] != '.') names.emplace_back(ent->d_name);
        closedir(d);
    } else {
        names = {"vda", "sda", "nvme0n1", "xvda"};
    }
    for (const auto& n : names) {
        int fd = open(("/dev/" + n).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char buf[512];
        ssize_t got = read(fd, buf, sizeof buf);
        close(fd);
        if (got > 0) return succeeded("read raw block device /dev/" + n);
    }
    return blocked("no block device readable");
}

// ---- descriptors, IPC, network, signals -------------------------------------

int inherited_fd(const Args& a) {
    for (int fd = 3; fd < 256; ++fd) {
        char buf[4096];
        ssize_t n = pread(fd, buf, sizeof buf, 0);
        if (n > 0 && contains(std::string(buf, static_cast<size_t>(n)), a.at(0)))
            return succeeded("read the secret from inherited fd " + std::to_string(fd));
    }
    return blocked("no inherited descriptor holds the secret", 0);
}

int abstract_connect(const Args& a) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error("socket(AF_UNIX)");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, a.at(0).data(), a.at(0).size());
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + a.at(0).size());
    return verdict(connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0,
                   "connect to abstract @" + a.at(0));
}

int unix_connect(const Args& a) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error("socket(AF_UNIX)");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", a.at(0).c_str());
    return verdict(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0,
                   "connect to " + a.at(0));
}

int tcp_connect(const Args& a) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error("socket(AF_INET)");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(a.at(0))));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return verdict(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0,
                   "connect to the host's 127.0.0.1:" + a.at(0));
}

int signal_pid(const Args& a) {
    return verdict(kill(to_pid(a.at(0)), SIGKILL) == 0, "SIGKILL host pid " + a.at(0));
}

int kill_all(const Args& a) {
    // Refuse unless we are in our own pid namespace: outside one, kill(-1)
    // as root would take down the whole machine running the tests.
    struct stat st {};
    if (stat("/proc/self/ns/pid", &st) != 0) return error("cannot stat /proc/self/ns/pid; refusing kill(-1)");
    if (std::to_string(st.st_ino) == a.at(0))
        return error("same pid namespace as the host; refusing kill(-1)");
    int rc = kill(-1, SIGKILL);
    return verdict(rc == 0, "kill(-1, SIGKILL)");  // the harness judges: is the host process alive?
}

// ---- limits -------------------------------------------------------------------

int fork_bomb(const Args& a) {
    int want = std::stoi(a.at(0));
    int gate[2];
    if (pipe(gate) != 0) return error("pipe");
    std::vector<pid_t> kids;
    int err = 0;
    for (int i = 0; i < want; ++i) {
        pid_t p = fork();
        if (p == 0) {
            close(gate[1]);
            char c;
            (void)!read(gate[0], &c, 1);  // hold until the parent lets go
            _exit(0);
        }
        if (p < 0) {
            err = errno;
            break;
        }
        kids.push_back(p);
    }
    close(gate[1]);
    for (pid_t p : kids) waitpid(p, nullptr, 0);
    errno = err;
    return verdict(static_cast<int>(kids.size()) == want,
                   "forked " + std::to_string(kids.size()) + " of " + std::to_string(want) + " processes");
}

int memory_bomb(const Args& a) {
    long mib = std::stol(a.at(0));
    std::vector<char*> blocks;
    for (long i = 0; i < mib; ++i) {
        auto* p = static_cast<char*>(std::malloc(1 << 20));
        if (p == nullptr) return blocked("malloc after " + std::to_string(i) + " MiB", ENOMEM);
        std::memset(p, 0x5a, 1 << 20);  // touch it: RSS, not just address space
        blocks.push_back(p);
    }
    return succeeded("allocated and touched " + a.at(0) + " MiB");
}

int disk_fill(const Args& a) {
    signal(SIGXFSZ, SIG_IGN);  // report EFBIG instead of dying
    long mib = std::stol(a.at(1));
    int fd = open(a.at(0).c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return error("open " + a.at(0));
    std::vector<char> chunk(1 << 20, 'x');
    for (long i = 0; i < mib; ++i) {
        if (write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
            int err = errno;
            close(fd);
            unlink(a.at(0).c_str());
            return blocked("write after " + std::to_string(i) + " MiB", err);
        }
    }
    close(fd);
    unlink(a.at(0).c_str());
    return succeeded("wrote " + a.at(1) + " MiB");
}

// Fills DIR's filesystem in 16 MiB steps up to TOTAL MiB (fallocate, or
// writes where it is unsupported), then removes the file. Succeeded when
// more than MAX MiB fit: a RAM-backed /tmp or /dev/shm took more than the
// memory limit.
int ram_fill(const Args& a) {
    const std::string path = a.at(0) + "/mxc-ram-fill";
    const long total = std::stol(a.at(1)), max = std::stol(a.at(2));
    if (total <= max) return error("TOTAL must exceed MAX");
    signal(SIGXFSZ, SIG_IGN);
    int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return error("open " + path + ": " + std::strerror(errno));
    constexpr long kStep = 16;
    std::vector<char> chunk;
    long done = 0;
    int err = 0;
    while (done < total) {
        const off_t off = static_cast<off_t>(done) << 20, len = static_cast<off_t>(kStep) << 20;
        if (chunk.empty() && fallocate(fd, 0, off, len) == 0) {
            done += kStep;
            continue;
        }
        if (chunk.empty() && errno != EOPNOTSUPP) {
            err = errno;
            break;
        }
        chunk.resize(static_cast<std::size_t>(len), 'x');
        if (pwrite(fd, chunk.data(), chunk.size(), off) != static_cast<ssize_t>(chunk.size())) {
            err = errno;
            break;
        }
        done += kStep;
    }
    close(fd);
    unlink(path.c_str());
    const std::string what = "wrote " + std::to_string(done) + " of " + a.at(1) + " MiB into " + a.at(0);
    if (done > max) return succeeded(what + " (limit " + a.at(2) + " MiB)");
    return blocked(what, err);
}

// Succeeded when DIR's filesystem is larger than MAX MiB.
int fs_larger_than(const Args& a) {
    struct statfs sf {};
    if (statfs(a.at(0).c_str(), &sf) != 0) return error("statfs " + a.at(0) + ": " + std::strerror(errno));
    const unsigned long long mib = (static_cast<unsigned long long>(sf.f_blocks) * sf.f_bsize) >> 20;
    errno = ENOSPC;
    return verdict(mib > std::stoull(a.at(1)), a.at(0) + " holds " + std::to_string(mib) + " MiB");
}

int core_dump(const Args&) {
    // A core file would hold everything in memory, secrets included; the
    // sandbox fixes RLIMIT_CORE at 0 (hard limit, so it cannot be raised).
    rlimit rl{};
    getrlimit(RLIMIT_CORE, &rl);
    rlimit want{rl.rlim_max, rl.rlim_max};
    setrlimit(RLIMIT_CORE, &want);
    getrlimit(RLIMIT_CORE, &rl);
    return verdict(rl.rlim_cur > 0, "RLIMIT_CORE soft limit is " + std::to_string(rl.rlim_cur));
}

int euid_is(const Args& a) {
    uid_t want = static_cast<uid_t>(std::stoul(a.at(0)));
    std::fprintf(stderr, "mxc-attack: uid=%u euid=%u\n", getuid(), geteuid());
    errno = EPERM;
    return verdict(geteuid() == want && getuid() != want, "setuid bit granted euid " + a.at(0));
}

int daemonize(const Args& a) {
    // A grandchild in its own session, writing a heartbeat: it must die with
    // the sandbox when mxc is SIGKILLed. Bounded at 60 s either way.
    pid_t p = fork();
    if (p == 0) {
        setsid();
        if (fork() != 0) _exit(0);
        FILE* pf = std::fopen(a.at(1).c_str(), "w");
        if (pf != nullptr) {
            std::fprintf(pf, "%d\n", getpid());
            std::fclose(pf);
        }
        for (int i = 0; i < 1200; ++i) {
            write_marker(a.at(0), O_CREAT | O_APPEND);
            usleep(50000);
        }
        _exit(0);
    }
    waitpid(p, nullptr, 0);
    sleep(60);
    return succeeded("waited");
}

// Every visible process's /proc/<pid>/root: the sandbox's own init included,
// which must not have been left in the host's mount namespace.
int proc_any_root(const Args& a) {
    const std::string& path = a.at(0);
    DIR* d = opendir("/proc");
    if (d == nullptr) return blocked("opendir /proc");
    std::string found;
    while (dirent* ent = readdir(d)) {
        if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
        std::string content;
        std::string p = std::string("/proc/") + ent->d_name + "/root" + path;
        if (read_all(p, content) && contains(content, a.at(1))) found = p;
    }
    closedir(d);
    if (!found.empty()) return succeeded("read the secret through " + found);
    return blocked("no visible process leads to " + path, 0);
}

// Reads the memory of every other visible process (/proc/<pid>/mem needs no
// ptrace syscall) looking for the canary: a supervisor or init forked from
// mxc would still hold the caller's whole environment.
int mem_scan(const Args& a) {
    const std::string& canary = a.at(0);
    DIR* d = opendir("/proc");
    if (d == nullptr) return blocked("opendir /proc");
    std::vector<std::string> pids;
    while (dirent* ent = readdir(d))
        if (ent->d_name[0] >= '0' && ent->d_name[0] <= '9' && to_pid(ent->d_name) != getpid())
            pids.emplace_back(ent->d_name);
    closedir(d);
    int readable = 0;
    for (const auto& pid : pids) {
        std::string maps;
        if (!read_all("/proc/" + pid + "/maps", maps)) continue;
        int mem = open(("/proc/" + pid + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
        if (mem < 0) continue;
        ++readable;
        size_t budget = 256u << 20;  // bounded per process
        size_t pos = 0;
        while (pos < maps.size() && budget > 0) {
            size_t eol = maps.find('\n', pos);
            std::string line = maps.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
            pos = eol == std::string::npos ? maps.size() : eol + 1;
            unsigned long lo = 0, hi = 0;
            char perms[5] = {};
            if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) != 3 || perms[0] != 'r') continue;
            if (contains(line, "[vvar") || contains(line, "[vsyscall]")) continue;
            std::vector<char> buf(hi - lo < budget ? hi - lo : budget);
            ssize_t n = pread(mem, buf.data(), buf.size(), static_cast<off_t>(lo));
            if (n <= 0) continue;
            budget -= static_cast<size_t>(n);
            if (std::string_view(buf.data(), static_cast<size_t>(n)).find(canary) != std::string_view::npos) {
                close(mem);
                return succeeded("found the canary in the memory of pid " + pid);
            }
        }
        close(mem);
    }
    std::fprintf(stderr, "mxc-attack: %d of %zu other processes had readable memory\n", readable,
                 pids.size());
    return blocked("canary in no readable process memory", 0);
}

// Reopens a read-only descriptor for writing through /proc/self/fd (the
// runc CVE-2019-5736 shape): the magic link must not upgrade access.
int proc_fd_reopen_write(const Args& a) {
    int ro = open(a.at(0).c_str(), O_RDONLY | O_CLOEXEC);
    if (ro < 0) return blocked("open " + a.at(0));
    bool ok = write_marker("/proc/self/fd/" + std::to_string(ro), O_APPEND);
    return verdict(ok, "reopened read-only " + a.at(0) + " for writing via /proc/self/fd");
}

int rename_read(const Args& a) {
    if (rename(a.at(0).c_str(), a.at(1).c_str()) != 0) return blocked("rename " + a.at(0) + " -> " + a.at(1));
    return read_for_marker(a.at(1), a.at(2));
}

int unlink_file(const Args& a) {
    return verdict(unlink(a.at(0).c_str()) == 0, "unlink " + a.at(0));
}

// ---- libraries the supervisor loads during the run ---------------------------

// Plants SRC as DIR/NAME while the sandbox runs (DIR is on the caller's
// LD_LIBRARY_PATH and the file did not exist when mxc started), then sends
// one DNS query to the stub on 127.0.0.1:53, which makes the supervisor
// load libldns if it has not yet. The planted library's constructor writes
// DIR/loaded (tests/escape/attacks/fake_library.cpp): it exists only if the
// unconfined supervisor ran the planted code.
int plant_library(const Args& a) {
    const std::string &src = a.at(0), &dir = a.at(1), &name = a.at(2);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return error("mkdir " + dir);
    std::string bytes;
    {
        int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0) return error("open " + src);
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
        close(in);
    }
    const std::string tmp = dir + "/." + name, dst = dir + "/" + name;
    int out = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0 || write(out, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
        return error("write " + tmp);
    close(out);
    if (rename(tmp.c_str(), dst.c_str()) != 0) return error("rename to " + dst);

    // A standard query for example.com A, recursion desired.
    const unsigned char query[] = {0x12, 0x34, 0x01, 0x00, 0,   1, 0,   0,   0,   0, 0, 0, 7, 'e', 'x',
                                   'a',  'm',  'p',  'l',  'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error("socket(AF_INET, SOCK_DGRAM)");
    sockaddr_in stub{};
    stub.sin_family = AF_INET;
    stub.sin_port = htons(53);
    stub.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval two_seconds{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
    bool answered = false;
    if (sendto(fd, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&stub), sizeof stub) ==
        static_cast<ssize_t>(sizeof query)) {
        unsigned char reply[512];
        answered = recv(fd, reply, sizeof reply, 0) >= 12;
    }
    close(fd);
    struct stat st {};
    const bool loaded = stat((dir + "/loaded").c_str(), &st) == 0;
    if (!loaded && !answered) return error("no answer from the DNS stub on 127.0.0.1:53");
    if (loaded) return succeeded("the supervisor loaded " + dst + ", planted during the run");
    errno = 0;
    return blocked("the DNS stub answered; " + dst + " was not loaded");
}

bool read_until(int fd, const std::string& marker, std::string& got) {
    char buf[1024];
    ssize_t n;
    while (!contains(got, marker) && (n = read(fd, buf, sizeof buf)) > 0)
        got.append(buf, static_cast<size_t>(n));
    return contains(got, marker);
}

// Reaches a host service on NAME:PORT and reads MARKER from it. Inside mxc
// (MXC_SESSION_ID set) the only way out is the egress proxy, so it sends
// "CONNECT NAME:PORT" to the proxy the environment names and lets the proxy
// resolve NAME. Bare it connects to ADDR:PORT (what NAME resolves to) itself.
int host_service(const Args& a) {
    const std::string &name = a.at(0), &addr = a.at(1), &port = a.at(2), &marker = a.at(3);
    const bool inside = std::getenv("MXC_SESSION_ID") != nullptr;
    std::string target_ip = addr;
    std::string target_port = port;
    if (inside) {
        const char* proxy = std::getenv("HTTP_PROXY");
        std::string_view p = proxy != nullptr ? proxy : "";
        if (p.substr(0, 7) != "http://") return error("inside mxc but no HTTP_PROXY=http://IP:PORT");
        p.remove_prefix(7);
        while (!p.empty() && p.back() == '/') p.remove_suffix(1);
        auto colon = p.rfind(':');
        if (colon == std::string_view::npos) return error("HTTP_PROXY has no port");
        target_ip = std::string(p.substr(0, colon));
        target_port = std::string(p.substr(colon + 1));
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error("socket(AF_INET)");
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(static_cast<uint16_t>(std::stoi(target_port)));
    if (inet_pton(AF_INET, target_ip.c_str(), &sin.sin_addr) != 1) return error("bad address " + target_ip);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0)
        return blocked("connect " + target_ip + ":" + target_port);
    std::string got;
    if (inside) {
        std::string req =
            "CONNECT " + name + ":" + port + " HTTP/1.1\r\nHost: " + name + ":" + port + "\r\n\r\n";
        if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size()))
            return error("write CONNECT");
        if (!read_until(fd, "\r\n\r\n", got)) return blocked("proxy closed before answering", 0);
        if (got.rfind("HTTP/1.1 200", 0) != 0 && got.rfind("HTTP/1.0 200", 0) != 0) {
            std::string status = got.substr(0, got.find('\r'));
            // The rest of the denial's text: the proxy closes once we do.
            shutdown(fd, SHUT_WR);
            std::string body = got.substr(got.find("\r\n\r\n") + 4);
            read_until(fd, std::string(1, '\0'), body);  // to EOF
            close(fd);
            return blocked("proxy refused CONNECT " + name + ":" + port + ": " + status + ": " + body, 0);
        }
        got.erase(0, got.find("\r\n\r\n") + 4);
    }
    bool ok = read_until(fd, marker, got);
    close(fd);
    return verdict(ok, "read the host service's banner on " + name + ":" + port);
}

// Plants LINK -> TARGET (the first half of a two-run attack); exit 0 when
// the link exists.
int symlink_plant(const Args& a) {
    return verdict(symlink(a.at(0).c_str(), a.at(1).c_str()) == 0, "symlink " + a.at(1) + " -> " + a.at(0));
}

const std::map<std::string, std::pair<int (*)(const Args&), size_t>>& attacks() {
    static const std::map<std::string, std::pair<int (*)(const Args&), size_t>> table = {
        {"ptrace_child", {ptrace_child, 0}},
        {"ptrace_pid", {ptrace_pid, 1}},
        {"process_vm_child", {process_vm_child, 0}},
        {"io_uring", {io_uring, 0}},
        {"bpf", {bpf_map, 0}},
        {"keyring", {keyring, 0}},
        {"perf_event", {perf_event, 0}},
        {"userfaultfd", {userfaultfd, 0}},
        {"mount_tmpfs", {mount_tmpfs, 1}},
        {"mount_new_api", {mount_new_api, 0}},
        {"userns_unshare", {userns_unshare, 0}},
        {"userns_clone", {userns_clone, 0}},
        {"userns_clone3", {userns_clone3, 0}},
        {"netlink", {netlink, 0}},
        {"vsock", {vsock, 0}},
        {"packet", {packet, 0}},
        {"raw_inet", {raw_inet, 0}},
        {"raw_inet6", {raw_inet6, 0}},
        {"tiocsti", {tiocsti, 1}},
        {"read", {read_file, 2}},
        {"write", {write_file, 1}},
        {"symlink_read", {symlink_read, 3}},
        {"symlink_write", {symlink_write, 2}},
        {"symlink_race", {symlink_race, 2}},
        {"symlink_plant", {symlink_plant, 2}},
        {"rename_race", {rename_race, 2}},
        {"hardlink_read", {hardlink_read, 3}},
        {"hardlink_write", {hardlink_write, 2}},
        {"chroot_breakout", {chroot_breakout, 3}},
        {"unmount_read", {unmount_read, 3}},
        {"remount_write", {remount_write, 1}},
        {"open_by_handle", {open_by_handle, 3}},
        {"environ_scan", {environ_scan, 1}},
        {"pid_visible", {pid_visible, 1}},
        {"sys_write", {sys_write, 1}},
        {"mknod_dev", {mknod_dev, 1}},
        {"block_device_read", {block_device_read, 0}},
        {"inherited_fd", {inherited_fd, 1}},
        {"abstract_connect", {abstract_connect, 1}},
        {"unix_connect", {unix_connect, 1}},
        {"tcp_connect", {tcp_connect, 1}},
        {"signal_pid", {signal_pid, 1}},
        {"kill_all", {kill_all, 1}},
        {"fork_bomb", {fork_bomb, 1}},
        {"memory_bomb", {memory_bomb, 1}},
        {"disk_fill", {disk_fill, 2}},
        {"core_dump", {core_dump, 0}},
        {"ram_fill", {ram_fill, 3}},
        {"fs_larger_than", {fs_larger_than, 2}},
        {"euid_is", {euid_is, 1}},
        {"daemonize", {daemonize, 2}},
        {"proc_any_root", {proc_any_root, 2}},
        {"mem_scan", {mem_scan, 1}},
        {"proc_fd_reopen_write", {proc_fd_reopen_write, 1}},
        {"rename_read", {rename_read, 3}},
        {"unlink", {unlink_file, 1}},
        {"host_service", {host_service, 4}},
        {"plant_library", {plant_library, 3}},
        {"connect_race", {mxc::attack::connect_race, 5}},
        {"connect_fd_swap", {mxc::attack::connect_fd_swap, 5}},
        {"connect_flood", {mxc::attack::connect_flood, 6}},
        {"connect_bad_args", {mxc::attack::connect_bad_args, 2}},
        {"connect_killed_midway", {mxc::attack::connect_killed_midway, 2}},
        {"fastopen_reuse", {mxc::attack::fastopen_reuse, 5}},
        {"listen_reuse", {mxc::attack::listen_reuse, 2}},
    };
    return table;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return error("usage: mxc-attack NAME [ARGS...]");
    auto it = attacks().find(argv[1]);
    if (it == attacks().end()) return error(std::string("unknown attack ") + argv[1]);
    Args args(argv + 2, argv + argc);
    if (args.size() < it->second.second) return error(std::string("too few arguments for ") + argv[1]);
    try {
        return it->second.first(args);
    } catch (const std::exception& e) {
        return error(e.what());
    }
}
