// The sandbox's filesystem view. Runs in the sandbox init, inside its own user
// and mount namespaces, so nothing here is visible to (or changes) the host.
//
// Sequence (bubblewrap's): make every mount private; mount a staging tmpfs on
// /tmp and pivot_root into it, so the host root sits at /oldroot and every
// source, including ones under the host's /tmp, stays reachable; build the
// sandbox root on /newroot from /oldroot/<path>; remount the scaffolding
// read-only; pivot_root into /newroot and detach the old root entirely.
#include "platform/linux/apply/mounts.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/unique_fd.hpp"
#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

constexpr const char* kStage = "/tmp";
constexpr const char* kOld = "/oldroot";
constexpr const char* kNew = "/newroot";
// Mask files are binds of this empty file. Its own small tmpfs is read-only,
// nosuid, nodev and noexec, and a bind takes its source mount's flags.
constexpr const char* kMaskSource = "/masks";
constexpr const char* kEmptyFile = "/masks/empty";

// Kernel struct mount_attr (Linux 5.12).
struct MountAttr {
    std::uint64_t attr_set;
    std::uint64_t attr_clr;
    std::uint64_t propagation;
    std::uint64_t userns_fd;
};
constexpr std::uint64_t kAttrRdonly = 0x1;
constexpr std::uint64_t kAttrNosuid = 0x2;
constexpr std::uint64_t kAttrNodev = 0x4;
constexpr unsigned kAtRecursive = 0x8000;

// Adds restrictions to a mount (and, if `recursive`, every mount below it).
// Flags the kernel locked when the mount crossed into our user namespace
// (nosuid, nodev, noexec, atime) are left as they are: mount_setattr only
// touches the bits we name, and the fallback remount re-reads and keeps them.
Status restrict_mount(const std::string& path, std::uint64_t attrs, bool recursive) {
    MountAttr attr{attrs, 0, 0, 0};
    if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), recursive ? kAtRecursive : 0U, &attr,
                  sizeof attr) == 0) {
        return {};
    }
    if (errno != ENOSYS) return sys_error("mount_setattr", path);
    struct statvfs sv {};
    if (::statvfs(path.c_str(), &sv) != 0) return sys_error("statvfs", path);
    unsigned long flags = MS_REMOUNT | MS_BIND;
    if ((sv.f_flag & ST_NOSUID) != 0) flags |= MS_NOSUID;
    if ((sv.f_flag & ST_NODEV) != 0) flags |= MS_NODEV;
    if ((sv.f_flag & ST_NOEXEC) != 0) flags |= MS_NOEXEC;
    if ((sv.f_flag & ST_NOATIME) != 0) flags |= MS_NOATIME;
    if ((sv.f_flag & ST_NODIRATIME) != 0) flags |= MS_NODIRATIME;
    if ((sv.f_flag & ST_RELATIME) != 0) flags |= MS_RELATIME;
    if ((sv.f_flag & ST_RDONLY) != 0) flags |= MS_RDONLY;
    if ((attrs & kAttrRdonly) != 0) flags |= MS_RDONLY;
    if ((attrs & kAttrNosuid) != 0) flags |= MS_NOSUID;
    if ((attrs & kAttrNodev) != 0) flags |= MS_NODEV;
    if (::mount(nullptr, path.c_str(), nullptr, flags, nullptr) != 0) return sys_error("remount", path);
    return {};
}

bool on_tmpfs(const std::string& dir) {
    struct statfs sf {};
    return ::statfs(dir.c_str(), &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Directories under /newroot that sit on one of our own tmpfs mounts and
// that nothing has been mounted on or above since: the root tmpfs and what
// ensure_mount_point created. They need no lstat (not a link, a directory)
// and no statfs (on our tmpfs) when a deeper mount point is made; a
// coding-agent tree re-checked each component for every mount below it
// (100 of its 300 calls). Nobody else can change them: the tree lives in
// the sandbox's private mount namespace and nothing of the sandbox runs yet.
class OwnDirs {
public:
    [[nodiscard]] bool contains(const std::string& dir) const { return dirs_.contains(dir); }
    // Whether `dir` is on one of our tmpfs mounts: known, or asked (statfs).
    [[nodiscard]] bool on_own_tmpfs(const std::string& dir) const { return contains(dir) || on_tmpfs(dir); }
    void add(const std::string& dir) { dirs_.insert(dir); }
    // Something was mounted on `target`: it and everything below it are the
    // mount's now. A fresh tmpfs of ours is an own directory again.
    void covered(const std::string& target, bool own_tmpfs) {
        const std::string below = target + "/";
        std::erase_if(dirs_, [&](const std::string& d) { return d == target || d.starts_with(below); });
        if (own_tmpfs) dirs_.insert(target);
    }
    void forget_all() { dirs_.clear(); }

private:
    std::unordered_set<std::string> dirs_;
};

// Creates the mount point `path` (and missing parents) inside /newroot. It
// refuses to create anything that is not on one of our own tmpfs mounts: a
// missing directory under a read-write bind would otherwise be created on the
// host. Existing components must not be symlinks, since mount(2) follows them.
Status ensure_mount_point(const std::string& path, bool is_dir, OwnDirs& own) {
    std::string current;
    std::size_t pos = std::string(kNew).size();
    while (pos < path.size()) {
        std::size_t next = path.find('/', pos + 1);
        if (next == std::string::npos) next = path.size();
        const std::string prefix = path.substr(0, next);
        const bool last = next == path.size();
        if (own.contains(prefix)) {
            pos = next;
            continue;
        }
        struct stat st {};
        if (::lstat(prefix.c_str(), &st) == 0) {
            if (S_ISLNK(st.st_mode))
                return make_error("mount point " + prefix + " is a symlink inside the sandbox");
        } else if (errno == ENOENT) {
            const std::string parent = parent_of(prefix);
            if (!own.on_own_tmpfs(parent)) {
                return make_error(
                    "mount point " + prefix.substr(std::string(kNew).size()) +
                    " is missing in the sandbox and its parent is a host directory (changed during launch?)");
            }
            if (!last || is_dir) {
                if (::mkdir(prefix.c_str(), 0755) != 0) {
                    if (errno != EEXIST) return sys_error("mkdir", prefix);
                } else if (own.contains(parent)) {
                    own.add(prefix);  // made by us, on our tmpfs
                }
            } else {
                UniqueFd fd(::open(prefix.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
                if (!fd.valid() && errno != EEXIST) return sys_error("create mount point", prefix);
            }
        } else {
            return sys_error("lstat", prefix);
        }
        pos = next;
    }
    return {};
}

// Binds the host path `src` (under /oldroot) on `dst`. The plan resolved
// every link in `src` before the launch; a run that is still going could
// have swapped a component for a symlink since, so the source is opened
// refusing any link (openat2 RESOLVE_NO_SYMLINKS) and the mount is made from
// that descriptor (open_tree + move_mount), never from a path again.
Status bind(const std::string& src, const std::string& dst) {
    const std::string shown_src = src.substr(std::string(kOld).size());
    const std::string shown_dst = dst.substr(std::string(kNew).size());
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    UniqueFd source(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, src.c_str(), &how, sizeof how)));
    if (!source.valid() && errno == ENOSYS) {
        // Kernels before 5.6: the plan's resolution is as recent as it gets.
        if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            return sys_error("bind mount " + shown_src + " on", shown_dst);
        return {};
    }
    if (!source.valid()) {
        if (errno == ELOOP)
            return make_error(
                "bind mount " + shown_src +
                ": a component became a symlink after the plan was made (changed during launch?)");
        return sys_error("open bind source", shown_src);
    }
    UniqueFd tree(
        static_cast<int>(::syscall(SYS_open_tree, source.get(), "",
                                   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE)));
    if (!tree.valid()) return sys_error("clone mount tree of", shown_src);
    if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, dst.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return sys_error("bind mount " + shown_src + " on", shown_dst);
    return {};
}

Status mount_tmpfs(const std::string& dst, unsigned long flags, const char* options) {
    if (::mount("tmpfs", dst.c_str(), "tmpfs", flags, options) != 0) return sys_error("mount tmpfs on", dst);
    return {};
}

// "mode=1777" plus the plan's size= (0: the kernel's default).
std::string ram_fs_options(std::uint64_t size) {
    return size == 0 ? std::string("mode=1777") : "mode=1777,size=" + std::to_string(size);
}

// What every plan's /dev has: before the orders, in an early init.
Status premount_dev(const std::string& dev) {
    MXC_TRY(mount_tmpfs(dev, MS_NOSUID | MS_NOEXEC, "mode=0755"));
    // Only harmless character devices, bound from the host (a user namespace
    // cannot mknod). /dev/tty is the caller's controlling terminal.
    for (const char* name : {"null", "zero", "full", "random", "urandom", "tty"}) {
        const std::string dst = dev + "/" + name;
        UniqueFd fd(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
        if (!fd.valid()) return sys_error("create", dst);
        const std::string src = std::string(kOld) + "/dev/" + name;
        if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
            return sys_error("bind", "/dev/" + std::string(name));
    }
    const std::string pts = dev + "/pts";
    if (::mkdir(pts.c_str(), 0755) != 0) return sys_error("mkdir", pts);
    // A new devpts instance: the sandbox sees only terminals it opens itself.
    if (::mount("devpts", pts.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620") != 0) {
        return sys_error("mount devpts on", pts);
    }
    if (::symlink("pts/ptmx", (dev + "/ptmx").c_str()) != 0) return sys_error("symlink", dev + "/ptmx");
    const std::string shm = dev + "/shm";
    if (::mkdir(shm.c_str(), 0755) != 0) return sys_error("mkdir", shm);
    const std::pair<const char*, const char*> links[] = {{"fd", "/proc/self/fd"},
                                                         {"stdin", "/proc/self/fd/0"},
                                                         {"stdout", "/proc/self/fd/1"},
                                                         {"stderr", "/proc/self/fd/2"}};
    for (const auto& [name, target] : links) {
        if (::symlink(target, (dev + "/" + name).c_str()) != 0) return sys_error("symlink", dev + "/" + name);
    }
    return {};
}

// The plan's part of /dev: the caller's terminal as /dev/console and the
// size of /dev/shm; then /dev waits to be made read-only with the rest.
Status finish_dev(const std::string& dev, const std::string& terminal, std::uint64_t shm_size,
                  std::vector<std::string>& remount_ro) {
    if (!terminal.empty()) {
        const std::string dst = dev + "/console";
        UniqueFd fd(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
        if (!fd.valid()) return sys_error("create", dst);
        const std::string src = std::string(kOld) + terminal;
        if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
            return sys_error("bind terminal", terminal);
    }
    const std::string shm = dev + "/shm";
    MXC_TRY(mount_tmpfs(shm, MS_NOSUID | MS_NODEV, ram_fs_options(shm_size).c_str()));
    remount_ro.push_back(dev);
    return {};
}

// procfs is per pid namespace but many files in it act on the whole host,
// and their permission checks compare the euid with host root instead of
// asking for a capability: a caller mapped to uid 0 could otherwise write
// global sysctls or /proc/sysrq-trigger without holding any capability.
// Same lists as runc/Docker.
Status harden_proc(const std::string& proc) {
    for (const char* name : {"sys", "sysrq-trigger", "irq", "bus", "fs"}) {
        const std::string path = proc + "/" + name;
        if (::access(path.c_str(), F_OK) != 0) continue;
        if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            return sys_error("bind", path);
        MXC_TRY(restrict_mount(path, kAttrRdonly | kAttrNosuid | kAttrNodev, true));
    }
    for (const char* name :
         {"kcore", "keys", "timer_list", "sched_debug", "latency_stats", "acpi", "scsi", "asound"}) {
        const std::string path = proc + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "mode=0555,size=0") != 0) {
                return sys_error("mask", path);
            }
        } else if (::mount("/oldroot/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            return sys_error("mask", path);
        }
    }
    return {};
}

// "/a/b/../c" -> "/a/c"; ".." at the root stays at the root, so the result
// is always inside the sandbox's root.
std::string normalize_lexically(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        const std::string part = path.substr(pos, next - pos);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        pos = next + 1;
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

// Where a generated file must go for the sandbox to read it at `target`:
// hosts often make /etc/resolv.conf a symlink (to /run/systemd/resolve/...),
// and a mount cannot cover a symlink itself, so the link is followed, as the
// sandbox would follow it, inside /newroot (absolute targets are taken
// relative to the sandbox's root, never the host's), in every component.
// "" when it loops.
std::string generated_destination(const std::string& target) {
    std::string path = normalize_lexically(target);
    int hops = 0;
    std::size_t done = 0;  // path[0, done) holds no symlink
    while (done < path.size()) {
        std::size_t next = path.find('/', done + 1);
        if (next == std::string::npos) next = path.size();
        const std::string prefix = path.substr(0, next);
        const std::string at = std::string(kNew) + prefix;
        struct stat st {};
        if (::lstat(at.c_str(), &st) != 0) break;  // missing from here on
        if (!S_ISLNK(st.st_mode)) {
            done = next;
            continue;
        }
        if (++hops > 40) return {};
        char link[4096];
        const ssize_t n = ::readlink(at.c_str(), link, sizeof link - 1);
        if (n <= 0) return {};
        std::string resolved = link[0] == '/' ? std::string() : parent_of(prefix);
        resolved += '/';
        resolved.append(link, static_cast<std::size_t>(n));
        resolved += path.substr(next);
        path = normalize_lexically(resolved);
        done = 0;
    }
    return std::string(kNew) + path;
}

// A file mxc wrote (`content`), bound read-only over `op.target`. It is
// written on the staging tmpfs, which the bind keeps alive after pivot_root.
Status apply_generated(const MountOp& op, OwnDirs& own) {
    const std::string dst = generated_destination(op.target);
    if (dst.empty()) return make_error(op.target + ": too many symlinks in the sandbox");
    std::string src = "/generated" + op.target;  // one per target: "/generated_etc_hosts"
    std::replace(src.begin() + 1, src.end(), '/', '_');
    {
        UniqueFd fd(::open(src.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
        if (!fd.valid()) return sys_error("create", src);
        std::size_t done = 0;
        while (done < op.content.size()) {
            const ssize_t n = ::write(fd.get(), op.content.data() + done, op.content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return sys_error("write", src);
            done += static_cast<std::size_t>(n);
        }
    }
    if (auto made = ensure_mount_point(dst, false, own); !made) {
        // The path is missing and its directory is a host directory (a host
        // without /etc/hosts or resolv.conf): nothing to cover, and no file
        // may be created on the host. The resolver then falls back to
        // 127.0.0.1, the stub, by itself. A path that exists but could not
        // be reached is an error.
        struct stat missing {};
        if (::lstat(dst.c_str(), &missing) != 0 && errno == ENOENT) return {};
        return made;
    }
    struct stat st {};
    if (::lstat(dst.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error(dst.substr(std::string(kNew).size()) + " is not a regular file in the sandbox");
    if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0)
        return sys_error("bind generated file on", dst.substr(std::string(kNew).size()));
    own.covered(dst, false);
    return restrict_mount(dst, kAttrRdonly | kAttrNosuid | kAttrNodev, false);
}

Status apply_op(const MountOp& op, std::vector<std::string>& remount_ro, OwnDirs& own) {
    const std::string dst = std::string(kNew) + (op.target == "/" ? "" : op.target);
    const std::string src = std::string(kOld) + op.source;
    auto with_rule = [&](Status st) -> Status {
        if (st) return st;
        return make_error(st.error().message + " [" + op.why + "]");
    };
    switch (op.kind) {
        case MountKind::RootTmpfs:
            if (::mkdir(kNew, 0755) != 0) return sys_error("mkdir", kNew);
            MXC_TRY(mount_tmpfs(kNew, MS_NOSUID | MS_NODEV, "mode=0755"));
            own.covered(kNew, true);
            remount_ro.push_back(kNew);
            return {};
        case MountKind::BindRo:
            MXC_TRY(with_rule(ensure_mount_point(dst, op.is_dir, own)));
            MXC_TRY(with_rule(bind(src, dst)));
            own.covered(dst, false);
            return with_rule(restrict_mount(dst, kAttrRdonly | kAttrNosuid | kAttrNodev, true));
        case MountKind::BindRw:
            MXC_TRY(with_rule(ensure_mount_point(dst, op.is_dir, own)));
            MXC_TRY(with_rule(bind(src, dst)));
            own.covered(dst, false);
            return with_rule(restrict_mount(dst, kAttrNosuid | kAttrNodev, true));
        case MountKind::MaskDir:
            MXC_TRY(with_rule(ensure_mount_point(dst, true, own)));
            // Writable until every deeper mount point inside it exists; made
            // read-only with the rest of the scaffolding.
            MXC_TRY(with_rule(mount_tmpfs(dst, MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k")));
            own.covered(dst, true);
            remount_ro.push_back(dst);
            return {};
        case MountKind::MaskFile:
            MXC_TRY(with_rule(ensure_mount_point(dst, false, own)));
            // The bind takes the source mount's flags (read-only, nosuid,
            // nodev, noexec: enter_staging), so no mount_setattr per mask.
            if (::mount(kEmptyFile, dst.c_str(), nullptr, MS_BIND, nullptr) != 0) {
                return with_rule(sys_error("mask file", op.target));
            }
            own.covered(dst, false);
            return {};
        case MountKind::Proc:
            MXC_TRY(ensure_mount_point(dst, true, own));
            if (::mount("proc", dst.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
                return sys_error("mount proc on", op.target);
            }
            own.covered(dst, false);
            return harden_proc(dst);
        case MountKind::Dev:
            MXC_TRY(ensure_mount_point(dst, true, own));
            own.covered(dst, false);
            MXC_TRY(premount_dev(dst));
            return finish_dev(dst, op.source, op.size, remount_ro);
        case MountKind::Tmp:
            MXC_TRY(ensure_mount_point(dst, true, own));
            MXC_TRY(mount_tmpfs(dst, MS_NOSUID | MS_NODEV, ram_fs_options(op.size).c_str()));
            own.covered(dst, true);
            return {};
        case MountKind::TmpDir:
            // Only ever on our own tmpfs: ensure_mount_point refuses host dirs.
            MXC_TRY(with_rule(ensure_mount_point(dst, true, own)));
            if (::chmod(dst.c_str(), 0700) != 0) return sys_error("chmod", op.target);
            return {};
        case MountKind::Symlink: {
            struct stat st {};
            if (::lstat(dst.c_str(), &st) == 0) return {};  // already provided by a bind
            const std::string parent = parent_of(dst);
            if (parent != kNew) MXC_TRY(with_rule(ensure_mount_point(parent, true, own)));
            if (!own.on_own_tmpfs(parent)) return {};
            if (::symlink(op.source.c_str(), dst.c_str()) != 0)
                return with_rule(sys_error("symlink", op.target));
            return {};
        }
        case MountKind::Generated:
            return with_rule(apply_generated(op, own));
        case MountKind::LearnView:
            return make_error("the learning view needs the learning plan");
    }
    return {};
}

Status enter_staging() {
    // Nothing we mount may propagate back into the host's mount namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return sys_error("make / private");
    MXC_TRY(mount_tmpfs(kStage, MS_NOSUID | MS_NODEV, "mode=0755"));
    if (::chdir(kStage) != 0) return sys_error("chdir", kStage);
    if (::mkdir("oldroot", 0755) != 0) return sys_error("mkdir staging oldroot");
    if (::syscall(SYS_pivot_root, ".", "oldroot") != 0) return sys_error("pivot_root to staging tmpfs");
    if (::chdir("/") != 0) return sys_error("chdir /");
    if (::mkdir(kMaskSource, 0755) != 0) return sys_error("mkdir", kMaskSource);
    MXC_TRY(mount_tmpfs(kMaskSource, MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k"));
    {
        UniqueFd empty(::open(kEmptyFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
        if (!empty.valid()) return sys_error("create", kEmptyFile);
    }
    return restrict_mount(kMaskSource, kAttrRdonly | kAttrNosuid | kAttrNodev, false);
}

}  // namespace

Result<Premounted> premount_sandbox_root() {
    Premounted done;
    MXC_TRY(enter_staging());
    done.staging = true;
    // The very ops every plan has (compile_plan), carried out the same way:
    // build_sandbox_root skips them when premount_fits.
    std::vector<std::string> remount_ro;  // the root's entry is added there
    OwnDirs own;                          // build_sandbox_root starts its own
    MXC_TRY(apply_op(MountOp{MountKind::RootTmpfs, "tmpfs", "/", true, "empty root"}, remount_ro, own));
    MXC_TRY(apply_op(MountOp{MountKind::Proc, "proc", "/proc", true, "fresh procfs"}, remount_ro, own));
    // /dev as its Dev op would make it, but for the plan's two parts.
    const std::string dev = std::string(kNew) + "/dev";
    if (::mkdir(dev.c_str(), 0755) != 0) return sys_error("mkdir", dev);
    MXC_TRY(premount_dev(dev));
    done.root_proc_dev = true;
    return done;
}

bool premount_fits(const std::vector<MountOp>& ops) {
    // The root tmpfs first (as the premount made it), then nothing that
    // covers the root again before the one /proc and the one /dev (a rule
    // on "/" would hide what was mounted early, where the plan mounts /proc
    // or /dev on top of it), and nothing at or below /dev before the Dev op.
    if (ops.empty() || ops.front().kind != MountKind::RootTmpfs || ops.front().target != "/") return false;
    int procs = 0;
    int devs = 0;
    for (std::size_t i = 1; i < ops.size(); ++i) {
        const MountOp& op = ops[i];
        if (op.kind == MountKind::LearnView || op.kind == MountKind::RootTmpfs) return false;
        if (op.kind == MountKind::Proc) {
            if (op.target != "/proc") return false;
            ++procs;
        } else if (op.kind == MountKind::Dev) {
            if (op.target != "/dev") return false;
            ++devs;
        } else {
            const bool covers_root = op.target == "/" && (procs == 0 || devs == 0);
            const bool inside_dev = devs == 0 && (op.target == "/dev" || op.target.starts_with("/dev/"));
            if (covers_root || inside_dev) return false;
        }
    }
    return procs == 1 && devs == 1;
}

Status build_sandbox_root(const std::vector<MountOp>& ops, const LearningPlan* learning, LearnLayers* layers,
                          Premounted premounted) {
    if (!premounted.staging) MXC_TRY(enter_staging());
    if (premounted.root_proc_dev && !premount_fits(ops)) {
        // Not this plan's tree: start the new root again from nothing.
        if (::umount2(kNew, MNT_DETACH) != 0) return sys_error("unmount premounted root", kNew);
        if (::rmdir(kNew) != 0) return sys_error("rmdir", kNew);
        premounted.root_proc_dev = false;
    }

    std::vector<std::string> remount_ro;
    OwnDirs own;
    if (premounted.root_proc_dev) own.add(kNew);  // the premount's root tmpfs; its /proc and /dev are not
    for (const auto& op : ops) {
        if (premounted.root_proc_dev && op.kind == MountKind::RootTmpfs) {
            remount_ro.push_back(kNew);  // as apply_op would
            continue;
        }
        if (premounted.root_proc_dev && op.kind == MountKind::Proc) continue;
        if (premounted.root_proc_dev && op.kind == MountKind::Dev) {
            MXC_TRY(finish_dev(std::string(kNew) + "/dev", op.source, op.size, remount_ro));
            continue;
        }
        if (op.kind == MountKind::LearnView && learning != nullptr && layers != nullptr) {
            MXC_TRY(build_learn_view(*learning, kOld, kNew, "/layers", *layers));
            own.forget_all();
            continue;
        }
        MXC_TRY(apply_op(op, remount_ro, own));
    }
    // Read-only last: mask directories and the root had to stay writable
    // while deeper mount points were created inside them.
    for (auto it = remount_ro.rbegin(); it != remount_ro.rend(); ++it) {
        MXC_TRY(restrict_mount(*it, kAttrRdonly | kAttrNosuid | kAttrNodev, false));
    }

    if (::chdir(kNew) != 0) return sys_error("chdir", kNew);
    // pivot_root(".", ".") stacks the old root on top of the new one; the
    // lazy unmount then drops it (and the whole host tree under it).
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error("pivot_root into sandbox root");
    if (::umount2(".", MNT_DETACH) != 0) return sys_error("detach old root");
    if (::chdir("/") != 0) return sys_error("chdir / in sandbox");
    return {};
}

}  // namespace mxc::lnx
