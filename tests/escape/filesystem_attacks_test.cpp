// Attacks on the filesystem rules: denied and unlisted files, read-only
// rules, and the path tricks (.., symlinks, hard links, races, /proc/self,
// mount games) that defeat sandboxes checking paths instead of objects.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "escape_support.hpp"

using mxc::escape::check_attack;
using mxc::escape::Control;
using mxc::escape::expect_blocked;
using mxc::escape::expect_control;
using mxc::escape::kSecret;
using mxc::escape::Scene;
using mxc::escape::slurp;

TEST_SUITE("escape") {
    TEST_CASE("a denied file (~/.ssh/id_rsa) cannot be read") {
        Scene s;
        check_attack(s, {"read", s.home + "/.ssh/id_rsa", kSecret});
    }

    TEST_CASE("a denied file inside the writable workspace ({workspace}/.env) cannot be read") {
        Scene s;
        check_attack(s, {"read", s.ws + "/.env", kSecret});
    }

    TEST_CASE("a file outside every rule cannot be read") {
        Scene s;
        check_attack(s, {"read", s.outside + "/secret", kSecret});
    }

    TEST_CASE(".. traversal out of the workspace cannot read outside it") {
        Scene s;
        check_attack(s, {"read", s.ws + "/../outside/secret", kSecret});
    }

    TEST_CASE("a file outside every rule cannot be created") {
        Scene s;
        expect_blocked(s.inside({"write", s.outside + "/pwned"}), "write outside the rules");
        CHECK_FALSE(mxc::escape::exists(s.outside + "/pwned"));
        expect_control(s.bare({"write", s.outside + "/pwned"}), "write outside the rules");
    }

    TEST_CASE(".. traversal out of the workspace cannot write outside it") {
        Scene s;
        expect_blocked(s.inside({"write", s.ws + "/../outside/pwned"}), "write via ..");
        CHECK_FALSE(mxc::escape::exists(s.outside + "/pwned"));
        expect_control(s.bare({"write", s.ws + "/../outside/pwned"}), "write via ..");
    }

    TEST_CASE("a read rule is not writable") {
        Scene s;
        expect_blocked(s.inside({"write", s.ro + "/file"}), "write to a read rule");
        CHECK(slurp(s.ro + "/file").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"write", s.ro + "/file"}), "write to a read rule");
    }

    TEST_CASE("a read rule inside the writable workspace ({workspace}/.git) is not writable") {
        Scene s;
        expect_blocked(s.inside({"write", s.ws + "/.git/config"}), "write to .git/config");
        CHECK(slurp(s.ws + "/.git/config").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"write", s.ws + "/.git/config"}), "write to .git/config");
    }

    TEST_CASE("a denied file inside the workspace is not writable") {
        Scene s;
        expect_blocked(s.inside({"write", s.ws + "/.env"}), "write to .env");
        CHECK(slurp(s.ws + "/.env").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"write", s.ws + "/.env"}), "write to .env");
    }

    TEST_CASE("a symlink from the workspace to an unlisted file does not read it") {
        Scene s;
        check_attack(s, {"symlink_read", s.ws + "/link", s.outside + "/secret", kSecret});
    }

    TEST_CASE("a symlink from the workspace to a denied file does not read it") {
        Scene s;
        check_attack(s, {"symlink_read", s.ws + "/link", s.home + "/.ssh/id_rsa", kSecret});
    }

    TEST_CASE("a symlink from the workspace to a read-only file does not write it") {
        Scene s;
        expect_blocked(s.inside({"symlink_write", s.ws + "/link", s.ro + "/file"}),
                       "write through a symlink");
        CHECK(slurp(s.ro + "/file").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"symlink_write", s.ws + "/link", s.ro + "/file"}), "write through a symlink");
    }

    TEST_CASE("racing a symlink swap against a write does not reach a read-only file") {
        Scene s;
        s.plant("ws/race/.keep", "");
        std::string victim = s.plant("ro/victim", "untouched\n");
        expect_blocked(s.inside({"symlink_race", s.ws + "/race", victim}), "symlink race");
        CHECK(slurp(victim) == "untouched\n");
        expect_control(s.bare({"symlink_race", s.ws + "/race", victim}), "symlink race");
    }

    TEST_CASE("racing a directory rename against a create does not reach an unlisted directory") {
        Scene s;
        s.plant("ws/rdir/.keep", "");
        s.plant("outside/target/.keep", "");
        expect_blocked(s.inside({"rename_race", s.ws + "/rdir", s.outside + "/target"}), "rename race");
        CHECK_FALSE(mxc::escape::exists(s.outside + "/target/pwned"));
        expect_control(s.bare({"rename_race", s.ws + "/rdir", s.outside + "/target"}), "rename race");
    }

    TEST_CASE("a hard link to a denied file does not read it") {
        Scene s;
        check_attack(s, {"hardlink_read", s.home + "/.ssh/id_rsa", s.ws + "/stolen", kSecret});
    }

    TEST_CASE("a hard link to an unlisted file does not read it") {
        Scene s;
        check_attack(s, {"hardlink_read", s.outside + "/secret", s.ws + "/stolen", kSecret});
    }

    TEST_CASE("a hard link to a read-only file does not make it writable") {
        Scene s;
        expect_blocked(s.inside({"hardlink_write", s.ro + "/file", s.ws + "/rw"}),
                       "write through a hard link");
        CHECK(slurp(s.ro + "/file").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"hardlink_write", s.ro + "/file", s.ws + "/rw"}), "write through a hard link");
    }

    TEST_CASE("/proc/self/root does not lead outside the sandbox's root") {
        Scene s;
        check_attack(s, {"read", "/proc/self/root" + s.outside + "/secret", kSecret});
    }

    TEST_CASE("/proc/self/cwd does not lead outside the sandbox") {
        Scene s;
        check_attack(s, {"read", "/proc/self/cwd/../outside/secret", kSecret});
    }

    TEST_CASE("reopening a read-only descriptor through /proc/self/fd does not make it writable") {
        Scene s;
        expect_blocked(s.inside({"proc_fd_reopen_write", s.ro + "/file"}),
                       "reopen for writing via /proc/self/fd");
        CHECK(slurp(s.ro + "/file").find("MXC-ESCAPED") == std::string::npos);
        expect_control(s.bare({"proc_fd_reopen_write", s.ro + "/file"}),
                       "reopen for writing via /proc/self/fd");
    }

    TEST_CASE("renaming a denied file within the workspace does not reveal it") {
        Scene s;
        expect_blocked(s.inside({"rename_read", s.ws + "/.env", s.ws + "/env-copy", kSecret}),
                       "rename .env into view");
        CHECK(slurp(s.ws + "/.env").find(kSecret) != std::string::npos);
        Scene fresh;  // the control gets an untouched scene, whatever happened inside
        expect_control(fresh.bare({"rename_read", fresh.ws + "/.env", fresh.ws + "/env-copy", kSecret}),
                       "rename .env into view");
    }

    TEST_CASE("a read-only file inside the workspace cannot be deleted") {
        Scene s;
        expect_blocked(s.inside({"unlink", s.ws + "/.git/config"}), "delete .git/config");
        CHECK(mxc::escape::exists(s.ws + "/.git/config"));
        Scene fresh;
        expect_control(fresh.bare({"unlink", fresh.ws + "/.git/config"}), "delete .git/config");
    }

    TEST_CASE("the chroot breakout ends at the sandbox's root") {
        Scene s;
        check_attack(s, {"chroot_breakout", s.ws + "/jail", s.outside + "/secret", kSecret});
    }

    TEST_CASE("unmounting the overlay on a denied directory does not reveal it") {
        Scene s;
        check_attack(s, {"unmount_read", s.home + "/.ssh", s.home + "/.ssh/id_rsa", kSecret});
    }

    TEST_CASE("remounting a read rule read-write does not make it writable") {
        Scene s;
        expect_blocked(s.inside({"remount_write", s.ro}), "remount a read rule");
        CHECK_FALSE(mxc::escape::exists(s.ro + "/mxc-remounted"));
        expect_control(s.bare({"remount_write", s.ro}), "remount a read rule");
    }

    TEST_CASE("open_by_handle_at cannot open an unlisted file by inode (shocker)") {
        Scene s;
        // The handle is computed outside, as an attacker could from a guess.
        std::string path = s.outside + "/secret";
        std::vector<unsigned char> storage(sizeof(file_handle) + MAX_HANDLE_SZ);
        auto* fh = reinterpret_cast<file_handle*>(storage.data());
        fh->handle_bytes = MAX_HANDLE_SZ;
        int mount_id = 0;
        REQUIRE(name_to_handle_at(AT_FDCWD, path.c_str(), fh, &mount_id, 0) == 0);
        std::string hex;
        char byte[3];
        auto append = [&](const unsigned char* p, size_t n) {
            for (size_t i = 0; i < n; ++i) {
                std::snprintf(byte, sizeof byte, "%02x", p[i]);
                hex += byte;
            }
        };
        int type = fh->handle_type;
        append(reinterpret_cast<const unsigned char*>(&type), 4);
        append(fh->f_handle, fh->handle_bytes);
        // Needs CAP_DAC_READ_SEARCH outside: root only.
        check_attack(s, {"open_by_handle", hex, s.ws, kSecret}, Control::IfPossible);
    }

}  // TEST_SUITE
