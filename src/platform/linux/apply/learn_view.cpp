#include "platform/linux/apply/learn_view.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "platform/linux/apply/sys_error.hpp"

namespace mxc::lnx {
namespace {

bool is_same_or_under(const std::string& path, const std::string& dir) {
    if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
    return path.size() == dir.size() || dir == "/" || path[dir.size()] == '/';
}

bool is_under(const std::string& path, const std::string& dir) {
    return path != dir && is_same_or_under(path, dir);
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

class ViewBuilder {
public:
    ViewBuilder(const LearningPlan& plan, std::string old_root, std::string new_root, std::string layers_at,
                LearnLayers& layers)
        : plan_(plan),
          old_(std::move(old_root)),
          new_(std::move(new_root)),
          layers_at_(std::move(layers_at)),
          layers_(layers) {}

    Status place(const std::string& dir, int depth) {
        if (hidden(dir)) return {};
        auto below = [&](const std::string& m) { return is_under(m, dir); };
        if (std::any_of(plan_.mount_points.begin(), plan_.mount_points.end(), below))
            return scaffold(dir, depth);
        MXC_TRY(layer(dir));
        // Split points below: overlays of their own on top (sorted, so a
        // parent before its children).
        std::vector<std::string> splits;
        for (const auto& sp : plan_.split_points) {
            if (is_under(sp, dir) && !hidden(sp) && plain_directory(sp)) splits.push_back(sp);
        }
        std::sort(splits.begin(), splits.end());
        splits.erase(std::unique(splits.begin(), splits.end()), splits.end());
        for (const auto& sp : splits) MXC_TRY(layer(sp));
        return {};
    }

private:
    bool hidden(const std::string& path) const {
        return std::any_of(plan_.hidden.begin(), plan_.hidden.end(),
                           [&](const std::string& h) { return is_same_or_under(path, h); });
    }
    std::string target(const std::string& dir) const { return dir == "/" ? new_ : new_ + dir; }

    // A directory on the host reached without any symlink: mount(2) and the
    // overlay's lowerdir would follow one (to a place of the staging root).
    bool plain_directory(const std::string& path) const {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_SYMLINKS;
        const std::string host = old_ + path;
        UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, host.c_str(), &how, sizeof how)));
        return fd.valid();
    }

    // A directory above a mount point: a directory of the root tmpfs (made
    // read-only with it), its entries placed one by one.
    Status scaffold(const std::string& dir, int depth) {
        if (depth > 64) {
            layers_.notes.push_back(dir + ": mounts nested too deep, not shown");
            return {};
        }
        if (dir != "/" && ::mkdir(target(dir).c_str(), 0755) != 0 && errno != EEXIST)
            return sys_error("learning view: mkdir", dir);
        const std::string host = dir == "/" ? old_ : old_ + dir;
        UniqueFd fd(::open(host.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        copy_mode(fd.get(), target(dir));
        DIR* d = fd.valid() ? ::fdopendir(fd.get()) : nullptr;
        if (d == nullptr) {
            layers_.notes.push_back(dir + ": not readable by the caller, shown empty (" +
                                    std::strerror(errno) + ")");
            return {};
        }
        (void)fd.release();
        std::vector<std::pair<std::string, unsigned char>> entries;
        while (dirent* e = ::readdir(d)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            entries.emplace_back(name, e->d_type);
        }
        const int dfd = ::dirfd(d);
        for (const auto& [name, type] : entries) {
            const std::string path = join(dir, name);
            if (hidden(path)) continue;
            struct stat st {};
            if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (S_ISDIR(st.st_mode)) {
                if (auto s = place(path, depth + 1); !s) {
                    ::closedir(d);
                    return s;
                }
            } else if (S_ISLNK(st.st_mode)) {
                char link[4096];
                const ssize_t n = ::readlinkat(dfd, name.c_str(), link, sizeof link - 1);
                if (n > 0) {
                    link[n] = '\0';
                    (void)::symlink(link, target(path).c_str());
                }
            } else if (S_ISREG(st.st_mode)) {
                bind_file(path);
            }
        }
        ::closedir(d);
        return {};
    }

    void bind_file(const std::string& path) {
        const std::string dst = target(path);
        UniqueFd made(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
        if (!made.valid()) return;
        const std::string src = old_ + path;
        if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
            ::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                    nullptr) != 0) {
            layers_.notes.push_back(path + ": not shown (" + std::string(std::strerror(errno)) + ")");
        }
    }

    // A directory with no mount below it: overlay(lower = the host's, upper
    // = ours). Where the kernel refuses an overlay, a read-only bind.
    Status layer(const std::string& dir) {
        const std::string dst = target(dir);
        if (dir != "/" && ::mkdir(dst.c_str(), 0755) != 0 && errno != EEXIST)
            return sys_error("learning view: mkdir", dir);
        const std::string n = std::to_string(layers_.uppers.size() + read_only_count_);
        const std::string base = layers_at_ + "/" + n;
        const std::string upper = base + "/u";
        const std::string work = base + "/w";
        if (::mkdir(base.c_str(), 0700) != 0 || ::mkdir(upper.c_str(), 0755) != 0 ||
            ::mkdir(work.c_str(), 0700) != 0)
            return sys_error("learning view: layer directories for", dir);
        const std::string lower = dir == "/" ? old_ : old_ + dir;
        {
            // The overlay's root shows the upper directory's mode: the host's.
            UniqueFd host(::open(lower.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            copy_mode(host.get(), upper);
        }
        const std::string why = overlay(lower, upper, work, dst);
        if (why.empty()) {
            layers_.uppers.emplace_back(n + "/u", dir);
            return {};
        }
        ++read_only_count_;
        // Read-only for real (a filesystem overlayfs cannot sit on).
        if (::mount(lower.c_str(), dst.c_str(), nullptr, MS_BIND, nullptr) != 0) {
            layers_.notes.push_back(dir + ": not shown (overlay: " + why + "; bind: " + std::strerror(errno) +
                                    ")");
            return {};
        }
        (void)::mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                      nullptr);
        layers_.notes.push_back(dir + ": read-only for real, writes fail (overlay: " + why + ")");
        return {};
    }

    // "" or why not.
    static std::string overlay(const std::string& lower, const std::string& upper, const std::string& work,
                               const std::string& dst) {
        UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
        if (!fs.valid()) return std::string("fsopen: ") + std::strerror(errno);
        // "lowerdir+" takes one path as it is (no ':' or ',' parsing: Linux 6.8).
        const std::pair<const char*, const std::string*> strings[] = {
            {"lowerdir+", &lower}, {"upperdir", &upper}, {"workdir", &work}};
        for (const auto& [key, value] : strings) {
            if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, value->c_str(), 0) != 0)
                return std::string(key) + ": " + std::strerror(errno);
        }
        // In a user namespace overlayfs keeps its metadata in user.* xattrs.
        if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0)
            return std::string("userxattr: ") + std::strerror(errno);
        if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
            return std::string("create: ") + std::strerror(errno);
        UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV));
        if (!mnt.valid()) return std::string("fsmount: ") + std::strerror(errno);
        if (::move_mount(mnt.get(), "", AT_FDCWD, dst.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
            return std::string("move_mount: ") + std::strerror(errno);
        return {};
    }

    static void copy_mode(int host_fd, const std::string& to) {
        struct stat st {};
        if (host_fd >= 0 && ::fstat(host_fd, &st) == 0) (void)::chmod(to.c_str(), st.st_mode & 07777);
    }

    const LearningPlan& plan_;
    std::string old_;
    std::string new_;
    std::string layers_at_;
    LearnLayers& layers_;
    std::size_t read_only_count_ = 0;
};

}  // namespace

Result<std::vector<HostMount>> read_host_mounts() {
    UniqueFd fd(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return sys_error("open", "/proc/self/mountinfo");
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("read", "/proc/self/mountinfo");
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return parse_mountinfo(text);
}

Status build_learn_view(const LearningPlan& plan, const std::string& old_root, const std::string& new_root,
                        const std::string& layers_at, LearnLayers& layers) {
    // The throwaway layers: a tmpfs in the sandbox's mount namespace, gone
    // with it.
    if (::mkdir(layers_at.c_str(), 0700) != 0) return sys_error("mkdir", layers_at);
    const std::string options =
        plan.layer_size == 0 ? std::string("mode=0700") : "mode=0700,size=" + std::to_string(plan.layer_size);
    if (::mount("tmpfs", layers_at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
        return sys_error("mount tmpfs on", layers_at);
    layers.dir.reset(::open(layers_at.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!layers.dir.valid()) return sys_error("open", layers_at);
    ViewBuilder builder(plan, old_root, new_root, layers_at, layers);
    return builder.place("/", 0);
}

bool list_layer_writes(const LearnLayers& layers, std::size_t cap,
                       const std::function<void(const std::string&)>& emit) {
    std::size_t count = 0;
    for (const auto& [upper, target] : layers.uppers) {
        // (fd of a directory, its sandbox path)
        std::vector<std::pair<UniqueFd, std::string>> stack;
        UniqueFd top(
            ::openat(layers.dir.get(), upper.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!top.valid()) continue;
        stack.emplace_back(std::move(top), target);
        while (!stack.empty()) {
            auto [fd, path] = std::move(stack.back());
            stack.pop_back();
            DIR* d = ::fdopendir(fd.get());
            if (d == nullptr) continue;
            const int dfd = fd.release();
            bool empty = true;
            while (dirent* e = ::readdir(d)) {
                const std::string name = e->d_name;
                if (name == "." || name == "..") continue;
                empty = false;
                const std::string child = join(path, name);
                struct stat st {};
                if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
                if (S_ISDIR(st.st_mode)) {
                    UniqueFd sub(
                        ::openat(dfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                    if (sub.valid()) stack.emplace_back(std::move(sub), child);
                    continue;
                }
                if (++count > cap) {
                    ::closedir(d);
                    return false;
                }
                emit(child);
            }
            ::closedir(d);
            if (empty && path != target) {
                if (++count > cap) return false;
                emit(path);
            }
        }
    }
    return true;
}

}  // namespace mxc::lnx
